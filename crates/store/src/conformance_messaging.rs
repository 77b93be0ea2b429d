//! Conformance cases for conversations, messages, consent and patient search.

use crate::conformance_scheduling::clinic;
use crate::*;
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::messaging::*;
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::patients::Patient;
use frontdesk_domain::tenant::Locale;
use frontdesk_domain::*;
use jiff::{SignedDuration, Timestamp};

fn t0() -> Timestamp {
    "2026-05-04T12:00:00Z".parse().unwrap()
}

fn at(mins: i64) -> Timestamp {
    t0() + SignedDuration::from_mins(mins)
}

fn message(c: &Conversation, direction: Direction, body: &str, sid: Option<&str>, mins: i64) -> Message {
    Message {
        id: MessageId::new(),
        tenant_id: c.tenant_id,
        conversation_id: c.id,
        patient_id: c.patient_id,
        direction,
        channel: c.channel,
        body: Some(MessageText::new(body)),
        media: vec![Media { url: "https://media.example/1".into(), content_type: "image/jpeg".into() }],
        transcript: None,
        template: None,
        provider: "twilio".into(),
        provider_message_id: sid.map(str::to_owned),
        status: if direction == Direction::Inbound { MessageStatus::Received } else { MessageStatus::Queued },
        error_code: None,
        error_message: None,
        created_at: at(mins),
        updated_at: at(mins),
    }
}

pub async fn one_conversation_per_patient_and_channel(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let first = store
        .conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Whatsapp, t0()))
        .await
        .unwrap();
    let again = store
        .conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Whatsapp, at(5)))
        .await
        .unwrap();
    assert_eq!(first, again);
    let sms =
        store.conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Sms, t0())).await.unwrap();
    assert_ne!(sms.id, first.id);
    let mut changed = first.clone();
    changed.status = ConversationStatus::Closed;
    changed.assignee = Some("recepcao".into());
    changed.needs_staff = true;
    changed.urgent = true;
    changed.last_inbound_at = Some(at(3));
    changed.last_message_at = Some(at(4));
    store.save_conversation(&changed).await.unwrap();
    assert_eq!(store.get_conversation(c.tenant, first.id).await.unwrap(), Some(changed.clone()));
    // The urgent flag is cleared like any other field, and a new conversation starts calm.
    assert!(!first.urgent);
    changed.urgent = false;
    store.save_conversation(&changed).await.unwrap();
    assert_eq!(
        store.get_conversation(c.tenant, first.id).await.map(|c| c.map(|c| c.urgent)).unwrap(),
        Some(false)
    );
    let other = clinic(&store, "beta").await;
    assert!(store.get_conversation(other.tenant, first.id).await.unwrap().is_none());
}

pub async fn messages_dedupe_on_provider_id_and_save(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let conv = store
        .conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Whatsapp, t0()))
        .await
        .unwrap();
    let inbound = message(&conv, Direction::Inbound, "Oi, quero marcar", Some("SM1"), 1);
    store.insert_message(&inbound).await.unwrap();
    let retry = message(&conv, Direction::Inbound, "Oi, quero marcar", Some("SM1"), 2);
    assert!(matches!(
        store.insert_message(&retry).await,
        Err(StoreError::Conflict(Conflict::Duplicate { what: Record::Message }))
    ));
    // Outbound messages have no provider id until the provider accepts them.
    let mut out = message(&conv, Direction::Outbound, "Olá!", None, 3);
    store.insert_message(&out).await.unwrap();
    store.insert_message(&message(&conv, Direction::Outbound, "Segunda", None, 4)).await.unwrap();
    let was = out.status;
    // A send taken over after its lease ran out records its own provider id too late:
    // the first record stands (compare-and-set on the status).
    let mut late = out.clone();
    late.provider_message_id = Some("SM-late".into());
    late.status = MessageStatus::Sent;
    out.provider_message_id = Some("SM2".into());
    out.status = MessageStatus::Failed;
    out.error_code = Some("63016".into());
    out.error_message = Some("outside window".into());
    out.updated_at = at(5);
    assert!(store.save_message_status(&out, was).await.unwrap());
    assert!(!store.save_message_status(&late, was).await.unwrap(), "the stored status moved on");
    assert_eq!(store.message_by_provider_id(c.tenant, "twilio", "SM2").await.unwrap(), Some(out.clone()));
    assert!(store.message_by_provider_id(c.tenant, "twilio", "SM-late").await.unwrap().is_none());
    // Another clinic cannot change it, whatever it claims the status was.
    let mut foreign = out.clone();
    foreign.tenant_id = clinic(&store, "gamma").await.tenant;
    foreign.status = MessageStatus::Read;
    assert!(!store.save_message_status(&foreign, MessageStatus::Failed).await.unwrap());
    assert_eq!(store.get_message(c.tenant, inbound.id).await.unwrap(), Some(inbound.clone()));
    let all = store.list_messages(c.tenant, conv.id).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0], inbound);
    // The failed send is listed (newest first, from `since` on), and for its clinic only.
    assert_eq!(store.failed_messages(c.tenant, at(0), 10).await.unwrap(), vec![out.clone()]);
    assert!(store.failed_messages(c.tenant, at(4), 10).await.unwrap().is_empty(), "sent before `since`");
    let other = clinic(&store, "beta").await;
    assert!(store.message_by_provider_id(other.tenant, "twilio", "SM1").await.unwrap().is_none());
    assert!(store.failed_messages(other.tenant, at(0), 10).await.unwrap().is_empty());
}

/// A conversation reads in the order things were said. Message ids do not give that order:
/// a reminder's id derives from its job, created at booking, before the confirmation sent
/// right after it; listing by id put the reminder first.
pub async fn messages_are_listed_in_the_order_they_were_filed(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let conv = store
        .conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Whatsapp, t0()))
        .await
        .unwrap();
    let reminder_id = MessageId::new(); // older id, later message
    let confirmation = message(&conv, Direction::Outbound, "Tudo certo!", None, 1);
    let reply = message(&conv, Direction::Inbound, "1", Some("SM9"), 30);
    let mut reminder = message(&conv, Direction::Outbound, "Lembrete", None, 20);
    reminder.id = reminder_id;
    for m in [&confirmation, &reminder, &reply] {
        store.insert_message(m).await.unwrap();
    }
    let said: Vec<MessageId> =
        store.list_messages(c.tenant, conv.id).await.unwrap().iter().map(|m| m.id).collect();
    assert_eq!(said, vec![confirmation.id, reminder.id, reply.id]);
    // What the patient sent from an instant on, newest first, in this clinic only.
    let later = message(&conv, Direction::Inbound, "2", Some("SM10"), 40);
    store.insert_message(&later).await.unwrap();
    let recent = |since, limit| store.recent_inbound(c.tenant, conv.id, since, limit);
    let ids = |ms: Vec<Message>| ms.into_iter().map(|m| m.id).collect::<Vec<_>>();
    assert_eq!(ids(recent(at(0), 10).await.unwrap()), vec![later.id, reply.id]);
    assert_eq!(ids(recent(at(0), 1).await.unwrap()), vec![later.id]);
    assert_eq!(ids(recent(at(31), 10).await.unwrap()), vec![later.id]);
    let other = clinic(&store, "beta").await;
    assert!(store.recent_inbound(other.tenant, conv.id, at(0), 10).await.unwrap().is_empty());
}

pub async fn voice_note_transcripts_are_kept_and_searched(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let conv = store
        .conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Whatsapp, t0()))
        .await
        .unwrap();
    let audio = vec![Media { url: "https://media.example/2".into(), content_type: "audio/ogg".into() }];
    // Inserted with a transcript: it reads back with it, and search finds its words.
    let mut told = message(&conv, Direction::Inbound, "", Some("SMv1"), 1);
    told.body = None;
    told.media = audio.clone();
    told.transcript = Some(MessageText::new("Tenho CONVÊNIO odontológico"));
    store.insert_message(&told).await.unwrap();
    assert_eq!(store.get_message(c.tenant, told.id).await.unwrap(), Some(told.clone()));
    let search = |text: &str| ConversationFilter { text: Some(text.into()), ..Default::default() };
    let found = |f: ConversationFilter| {
        let store = store.clone();
        async move { store.list_conversations(c.tenant, &f, PageRequest::default()).await.unwrap().items }
    };
    assert_eq!(found(search("convenio")).await, vec![conv.clone()]);

    // A voice note filed untranscribed gets its transcript later.
    let mut note = message(&conv, Direction::Inbound, "segue o áudio", Some("SMv2"), 2);
    note.media = audio;
    store.insert_message(&note).await.unwrap();
    assert!(found(search("limpeza")).await.is_empty());
    let said = MessageText::new("Quero marcar uma Limpeza amanhã");
    let other = clinic(&store, "beta").await;
    assert!(matches!(
        store.set_message_transcript(other.tenant, note.id, &said).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.get_message(c.tenant, note.id).await.unwrap().unwrap().transcript, None);
    assert!(matches!(
        store.set_message_transcript(c.tenant, MessageId::new(), &said).await,
        Err(StoreError::NotFound)
    ));
    store.set_message_transcript(c.tenant, note.id, &said).await.unwrap();
    note.transcript = Some(said);
    assert_eq!(store.get_message(c.tenant, note.id).await.unwrap(), Some(note.clone()));
    assert_eq!(store.list_messages(c.tenant, conv.id).await.unwrap(), vec![told.clone(), note.clone()]);
    // Both the body and the transcript are searched, accents and case aside.
    assert_eq!(found(search("LIMPEZA amanha")).await, vec![conv.clone()]);
    assert_eq!(found(search("segue o audio")).await, vec![conv.clone()]);
    let f = ConversationFilter { text: Some("limpeza".into()), ..Default::default() };
    assert!(
        store.list_conversations(other.tenant, &f, PageRequest::default()).await.unwrap().items.is_empty()
    );

    // A later transcript replaces the first; a status change keeps it.
    store.set_message_transcript(c.tenant, note.id, &MessageText::new("Quero uma consulta")).await.unwrap();
    assert!(found(search("limpeza")).await.is_empty());
    assert_eq!(found(search("consulta")).await, vec![conv.clone()]);
    store.set_message_transcript(c.tenant, note.id, &MessageText::new("Quero um clareamento")).await.unwrap();
    note.transcript = Some(MessageText::new("Quero um clareamento"));
    let was = note.status;
    note.status = MessageStatus::Read;
    note.updated_at = at(3);
    assert!(store.save_message_status(&note, was).await.unwrap());
    assert_eq!(store.message_by_provider_id(c.tenant, "twilio", "SMv2").await.unwrap(), Some(note.clone()));
    assert!(found(search("consulta")).await.is_empty());
    assert_eq!(found(search("clareamento")).await, vec![conv]);
}

pub async fn conversations_filter_and_page(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let mut convs = Vec::new();
    for (i, channel) in [Channel::Whatsapp, Channel::Sms].into_iter().enumerate() {
        let mut conv =
            store.conversation_for(&Conversation::new(c.tenant, c.patient.id, channel, t0())).await.unwrap();
        conv.last_message_at = Some(at(10 * (i as i64 + 1)));
        store.save_conversation(&conv).await.unwrap();
        convs.push(conv);
    }
    store
        .insert_message(&message(
            &convs[0],
            Direction::Inbound,
            "Preciso de um CARDIOLOGISTA",
            Some("SMa"),
            1,
        ))
        .await
        .unwrap();
    let all = store
        .list_conversations(c.tenant, &ConversationFilter::default(), PageRequest::new(None, Some(1)))
        .await
        .unwrap();
    assert_eq!(all.items, vec![convs[1].clone()], "most recently active first");
    let next = store
        .list_conversations(
            c.tenant,
            &ConversationFilter::default(),
            PageRequest::new(all.next_cursor, Some(5)),
        )
        .await
        .unwrap();
    assert_eq!(next.items, vec![convs[0].clone()]);
    let f = ConversationFilter { text: Some("cardiologista".into()), ..Default::default() };
    assert_eq!(
        store.list_conversations(c.tenant, &f, PageRequest::default()).await.unwrap().items,
        vec![convs[0].clone()]
    );
    let f = ConversationFilter { channel: Some(Channel::Sms), ..Default::default() };
    assert_eq!(store.list_conversations(c.tenant, &f, PageRequest::default()).await.unwrap().items.len(), 1);
    let f = ConversationFilter { status: Some(ConversationStatus::Closed), ..Default::default() };
    assert!(store.list_conversations(c.tenant, &f, PageRequest::default()).await.unwrap().items.is_empty());
}

pub async fn consents_in_order(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let out = Consent {
        channel: Channel::Whatsapp,
        state: ConsentState::OptedOut,
        source: "keyword".into(),
        at: at(1),
    };
    let back = Consent {
        channel: Channel::Whatsapp,
        state: ConsentState::OptedIn,
        source: "keyword".into(),
        at: at(2),
    };
    store.record_consent(c.tenant, c.patient.id, &out).await.unwrap();
    store.record_consent(c.tenant, c.patient.id, &back).await.unwrap();
    assert_eq!(store.consents(c.tenant, c.patient.id).await.unwrap(), vec![out, back]);
    let other = clinic(&store, "beta").await;
    assert!(store.consents(other.tenant, c.patient.id).await.unwrap().is_empty());
}

pub async fn patients_search_and_update(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let joao = Patient::new(
        c.tenant,
        PersonName::parse("João Pereira").unwrap(),
        PhoneE164::parse("+5521999887766", "BR").unwrap(),
        Locale::PtBr,
        t0(),
    );
    store.create_patient(&joao).await.unwrap();
    let by_name = PatientQuery { name: Some("pereira".into()), phone_digits: None };
    assert_eq!(
        store.search_patients(c.tenant, &by_name, PageRequest::default()).await.unwrap().items,
        vec![joao.clone()]
    );
    let by_phone = PatientQuery { name: None, phone_digits: Some("99887766".into()) };
    assert_eq!(
        store.search_patients(c.tenant, &by_phone, PageRequest::default()).await.unwrap().items,
        vec![joao.clone()]
    );
    let all = store
        .search_patients(c.tenant, &PatientQuery::default(), PageRequest::new(None, Some(1)))
        .await
        .unwrap();
    assert_eq!(all.items, vec![joao.clone()]);
    assert!(all.next_cursor.is_some());
    let mut renamed = joao.clone();
    renamed.name = PersonName::parse("João P. Pereira").unwrap();
    renamed.locale = Locale::En;
    store.update_patient(&renamed).await.unwrap();
    assert_eq!(store.get_patient(c.tenant, joao.id).await.unwrap(), Some(renamed));
    let other = clinic(&store, "beta").await;
    assert!(
        store.search_patients(other.tenant, &by_name, PageRequest::default()).await.unwrap().items.is_empty()
    );
}

pub async fn a_message_is_filed_with_its_jobs_or_not_at_all(store: DynStore) {
    use frontdesk_domain::jobs::NewJob;
    let c = clinic(&store, "alpha").await;
    let conv = store
        .conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Whatsapp, t0()))
        .await
        .unwrap();
    let job = |n: &str| {
        NewJob::new(c.tenant, "messaging.send", serde_json::json!({"n": n}), t0())
            .with_dedupe_key(format!("message:{n}"))
    };
    let first = message(&conv, Direction::Inbound, "Oi", Some("SM9"), 1);
    store.insert_message_with_jobs(&first, &[job("a")], t0()).await.unwrap();
    let queued = store.list_jobs(c.tenant, &Default::default(), Default::default()).await.unwrap().items;
    assert_eq!(queued.len(), 1);
    // The same provider message again: refused, and its job is not enqueued either.
    let again = message(&conv, Direction::Inbound, "Oi", Some("SM9"), 2);
    assert!(store.insert_message_with_jobs(&again, &[job("b")], t0()).await.is_err());
    assert_eq!(
        store.list_jobs(c.tenant, &Default::default(), Default::default()).await.unwrap().items.len(),
        1
    );
    assert_eq!(store.list_messages(c.tenant, conv.id).await.unwrap().len(), 1);
}

pub async fn unread_is_counted_per_person_from_what_they_read(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let conv = store
        .conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Whatsapp, t0()))
        .await
        .unwrap();
    for (direction, mins) in [(Direction::Inbound, 1), (Direction::Outbound, 2), (Direction::Inbound, 3)] {
        store.insert_message(&message(&conv, direction, "oi", None, mins)).await.unwrap();
    }
    let (ana, bia) = (frontdesk_domain::UserId::new(), frontdesk_domain::UserId::new());
    // Nothing read yet: both patient messages, not the clinic's reply.
    assert_eq!(store.unread_counts(c.tenant, ana).await.unwrap(), vec![(conv.id, 2)]);
    store.mark_read(c.tenant, ana, conv.id, at(1)).await.unwrap();
    assert_eq!(store.unread_counts(c.tenant, ana).await.unwrap(), vec![(conv.id, 1)]);
    // A later look wins; an older, slower one does not make messages unread again.
    store.mark_read(c.tenant, ana, conv.id, at(3)).await.unwrap();
    store.mark_read(c.tenant, ana, conv.id, at(1)).await.unwrap();
    assert!(store.unread_counts(c.tenant, ana).await.unwrap().is_empty());
    // Per person, and per clinic.
    assert_eq!(store.unread_counts(c.tenant, bia).await.unwrap(), vec![(conv.id, 2)]);
    let other = clinic(&store, "beta").await;
    store.mark_read(other.tenant, bia, conv.id, at(9)).await.unwrap();
    assert!(store.unread_counts(other.tenant, bia).await.unwrap().is_empty());
    assert_eq!(
        store.unread_counts(c.tenant, bia).await.unwrap(),
        vec![(conv.id, 2)],
        "another clinic's mark is ignored"
    );
}

pub async fn messages_between_page_across_conversations(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = clinic(&store, "beta").await;
    let wa = store
        .conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Whatsapp, t0()))
        .await
        .unwrap();
    let sms =
        store.conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Sms, t0())).await.unwrap();
    let theirs = store
        .conversation_for(&Conversation::new(other.tenant, other.patient.id, Channel::Sms, t0()))
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (i, conv) in [&wa, &sms, &wa, &sms, &wa].into_iter().enumerate() {
        let m = message(conv, Direction::Outbound, "oi", Some(&format!("SMp{i}")), 10 * i as i64);
        store.insert_message(&m).await.unwrap();
        ids.push(m.id);
    }
    store.insert_message(&message(&theirs, Direction::Outbound, "oi", Some("SMq"), 10)).await.unwrap();
    // [at(10), at(40)): the second, third and fourth messages, newest first, two per page.
    let first =
        store.list_messages_between(c.tenant, at(10), at(40), PageRequest::new(None, Some(2))).await.unwrap();
    assert_eq!(first.items.iter().map(|m| m.id).collect::<Vec<_>>(), vec![ids[3], ids[2]]);
    let next = store
        .list_messages_between(c.tenant, at(10), at(40), PageRequest::new(first.next_cursor, Some(2)))
        .await
        .unwrap();
    assert_eq!(next.items.iter().map(|m| m.id).collect::<Vec<_>>(), vec![ids[1]]);
    assert_eq!(next.next_cursor, None);
    let none =
        store.list_messages_between(other.tenant, at(100), at(200), PageRequest::default()).await.unwrap();
    assert!(none.items.is_empty(), "another tenant's and out-of-period messages stay out");
}

pub async fn conversations_that_turned_negative_are_listed_latest_first(store: DynStore) {
    use frontdesk_domain::nlu::sentiment::Sentiment;
    let c = clinic(&store, "alpha").await;
    let mut whatsapp = store
        .conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Whatsapp, t0()))
        .await
        .unwrap();
    let mut sms =
        store.conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Sms, t0())).await.unwrap();
    // Neutral then negative on WhatsApp at minute 10; SMS opened angry (no turn), then
    // calm, then negative again at minute 30.
    assert!(!whatsapp.record_tone(Sentiment::Neutral, at(5)));
    assert!(whatsapp.record_tone(Sentiment::Negative, at(10)));
    store.save_conversation(&whatsapp).await.unwrap();
    assert!(!sms.record_tone(Sentiment::Negative, at(1)));
    assert!(!sms.record_tone(Sentiment::Positive, at(20)));
    assert!(sms.record_tone(Sentiment::Negative, at(30)));
    store.save_conversation(&sms).await.unwrap();
    let stored = store.get_conversation(c.tenant, whatsapp.id).await.unwrap().unwrap();
    assert_eq!((stored.sentiment, stored.turned_negative_at), (Some(Sentiment::Negative), Some(at(10))));

    let listed = store.conversations_turned_negative(c.tenant, t0(), at(60), 10).await.unwrap();
    assert_eq!(listed.iter().map(|c| c.id).collect::<Vec<_>>(), [sms.id, whatsapp.id]);
    let window = store.conversations_turned_negative(c.tenant, at(0), at(30), 10).await.unwrap();
    assert_eq!(window.iter().map(|c| c.id).collect::<Vec<_>>(), [whatsapp.id], "the end is excluded");
    assert_eq!(store.conversations_turned_negative(c.tenant, t0(), at(60), 1).await.unwrap().len(), 1);
    let other = clinic(&store, "beta").await;
    assert!(store.conversations_turned_negative(other.tenant, t0(), at(60), 10).await.unwrap().is_empty());
}
