//! Conformance cases for leads, their timeline events and the booking dialogue's state.

use crate::conformance_scheduling::{Clinic, clinic};
use crate::*;
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::jobs::{JobStatus, NewJob};
use frontdesk_domain::leads::*;
use frontdesk_domain::messaging::{Channel, Conversation};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::patients::Patient;
use frontdesk_domain::tenant::Locale;
use frontdesk_domain::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use uuid::Uuid;

fn t0() -> Timestamp {
    "2026-05-04T12:00:00Z".parse().unwrap()
}

fn at(mins: i64) -> Timestamp {
    t0() + SignedDuration::from_mins(mins)
}

/// A sub-second instant: both backends keep microseconds, and must keep all of them.
fn precise(mins: i64, micros: i64) -> Timestamp {
    at(mins) + SignedDuration::from_micros(micros)
}

fn lead(c: &Clinic, source: LeadSource, mins: i64) -> Lead {
    Lead::new(c.tenant, c.patient.id, source, at(mins))
}

fn ids(leads: &[Lead]) -> Vec<LeadId> {
    leads.iter().map(|l| l.id).collect()
}

fn event(l: &Lead, kind: &str, detail: Value, at: Timestamp) -> LeadEvent {
    LeadEvent::new(l, kind, detail, at)
}

async fn second_patient(store: &DynStore, c: &Clinic) -> Patient {
    let p = Patient::new(
        c.tenant,
        PersonName::parse("João Pereira").unwrap(),
        PhoneE164::parse(&format!("+55219{:08}", Uuid::now_v7().as_u128() % 90_000_000 + 10_000_000), "BR")
            .unwrap(),
        Locale::PtBr,
        t0(),
    );
    store.create_patient(&p).await.unwrap();
    p
}

async fn job_ids(store: &DynStore, tenant: TenantId) -> Vec<JobId> {
    let mut listed: Vec<JobId> = store
        .list_jobs(tenant, &JobFilter::default(), PageRequest::default())
        .await
        .unwrap()
        .items
        .iter()
        .map(|j| j.id)
        .collect();
    listed.sort();
    listed
}

/// A lead with every optional field set, several stages reached at sub-second instants,
/// reasons with accents, so a column dropped or narrowed anywhere shows up as a difference.
fn full_lead(c: &Clinic) -> Lead {
    Lead {
        id: LeadId::new(),
        tenant_id: c.tenant,
        patient_id: c.patient.id,
        source: LeadSource::PaidAds,
        utm_source: Some("facebook".into()),
        utm_medium: Some("cpc".into()),
        utm_campaign: Some("implantes-maio".into()),
        utm_term: Some("implante dentário".into()),
        utm_content: Some("video-1".into()),
        campaign: Some("Meta 1234567890".into()),
        service_interest: Some("Implante Dentário".into()),
        notes: Some("Prefere manhãs — “urgente”".into()),
        stage: LeadStage::NoShow,
        lost_reason: Some("sem resposta".into()),
        temperature: Temperature::Hot,
        score: 95,
        score_reasons: vec![
            "paid ads +30".into(),
            "stated urgency +25".into(),
            "preço ≥ R$ 1.000 +20".into(),
        ],
        owner: Some("recepção-ana".into()),
        stage_times: BTreeMap::from([
            (LeadStage::New, precise(0, 1)),
            (LeadStage::Contacted, precise(1, 123_456)),
            (LeadStage::Booked, precise(3, 999_999)),
            (LeadStage::NoShow, precise(24 * 60, 500_000)),
        ]),
        first_outbound_at: Some(precise(0, 654_321)),
        created_at: precise(0, 1),
        updated_at: precise(24 * 60, 500_001),
    }
}

pub async fn leads_round_trip_every_field(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = second_patient(&store, &c).await;
    // The minimal lead: every option empty, one stage time, no reasons.
    let minimal = lead(&c, LeadSource::Import, 0);
    store.insert_lead(&minimal, &[], &[], t0()).await.unwrap();
    assert_eq!(store.get_lead(c.tenant, minimal.id).await.unwrap(), Some(minimal.clone()));

    let full = full_lead(&c);
    store.insert_lead(&full, &[], &[], t0()).await.unwrap();
    assert_eq!(store.get_lead(c.tenant, full.id).await.unwrap(), Some(full.clone()));
    assert!(matches!(
        store.insert_lead(&full, &[], &[], t0()).await,
        Err(StoreError::Conflict(Conflict::Duplicate { what: Record::Lead }))
    ));

    // Saving writes every mutable field, clearing options included.
    let cleared = Lead {
        id: full.id,
        tenant_id: full.tenant_id,
        patient_id: other.id,
        source: LeadSource::Referral,
        utm_source: None,
        utm_medium: None,
        utm_campaign: None,
        utm_term: None,
        utm_content: None,
        campaign: None,
        service_interest: None,
        notes: None,
        stage: LeadStage::Showed,
        lost_reason: None,
        temperature: Temperature::Warm,
        score: -5,
        score_reasons: Vec::new(),
        owner: None,
        stage_times: BTreeMap::from([(LeadStage::Showed, precise(2, 7))]),
        first_outbound_at: None,
        created_at: full.created_at,
        updated_at: precise(30 * 24 * 60, 42),
    };
    store.save_lead(&cleared, &[], &[], at(6)).await.unwrap();
    assert_eq!(store.get_lead(c.tenant, full.id).await.unwrap(), Some(cleared.clone()));

    // Filling them again brings every value back; the creation time never changes.
    let mut refilled = full.clone();
    refilled.created_at = at(999);
    store.save_lead(&refilled, &[], &[], at(7)).await.unwrap();
    assert_eq!(store.get_lead(c.tenant, full.id).await.unwrap(), Some(full.clone()));
    assert_eq!(store.get_lead(c.tenant, minimal.id).await.unwrap(), Some(minimal), "neighbour untouched");
}

pub async fn lead_writes_carry_events_and_jobs(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let mut l = lead(&c, LeadSource::PaidAds, 0);
    let created = event(&l, "created", json!({"source": "paid_ads", "utm": {"campaign": "maio"}}), at(0));
    let scored = event(&l, "scored", json!({"score": 70, "reasons": ["paid ads +30"]}), at(0));
    let call = NewJob::new(c.tenant, "lead_speed_call", json!({"lead_id": l.id}), at(0));
    let follow = NewJob::new(c.tenant, "lead_follow_up", json!({"lead_id": l.id, "step": 1}), at(60));
    store
        .insert_lead(&l, &[created.clone(), scored.clone()], &[call.clone(), follow.clone()], at(0))
        .await
        .unwrap();
    assert_eq!(job_ids(&store, c.tenant).await, {
        let mut want = vec![call.id, follow.id];
        want.sort();
        want
    });
    assert_eq!(store.lead_events(c.tenant, l.id).await.unwrap(), vec![created.clone(), scored.clone()]);

    assert!(l.move_to(LeadStage::Contacted, at(2)));
    let moved = event(&l, "stage_changed", json!({"from": "new", "to": "contacted"}), at(2));
    let message = NewJob::new(c.tenant, "send_message", json!({"lead_id": l.id}), at(3));
    store.save_lead(&l, std::slice::from_ref(&moved), std::slice::from_ref(&message), at(2)).await.unwrap();
    let stored = store.get_job(c.tenant, message.id).await.unwrap().expect("the message job was enqueued");
    assert_eq!(
        (stored.kind.as_str(), stored.run_at, stored.status),
        ("send_message", at(3), JobStatus::Queued)
    );
    assert_eq!(
        store.lead_events(c.tenant, l.id).await.unwrap(),
        vec![created.clone(), scored.clone(), moved]
    );
    assert_eq!(store.get_lead(c.tenant, l.id).await.unwrap(), Some(l.clone()));

    // A save that fails stores nothing: not the lead, not its events, not its jobs.
    let ghost = lead(&c, LeadSource::Crm, 5);
    let stray = NewJob::new(c.tenant, "send_message", json!({}), at(5));
    assert!(matches!(
        store
            .save_lead(
                &ghost,
                &[event(&ghost, "note", Value::Null, at(5))],
                std::slice::from_ref(&stray),
                at(5)
            )
            .await,
        Err(StoreError::NotFound)
    ));
    // An event naming a lead nobody has makes the whole write NotFound, the lead's changes
    // and jobs included.
    let mut changed = l.clone();
    changed.notes = Some("should not be kept".into());
    let orphan_job = NewJob::new(c.tenant, "send_message", json!({}), at(6));
    let orphan_event = event(&ghost, "note", json!("x"), at(6));
    assert!(matches!(
        store.save_lead(&changed, &[orphan_event], std::slice::from_ref(&orphan_job), at(6)).await,
        Err(StoreError::NotFound)
    ));
    let fresh = lead(&c, LeadSource::Crm, 7);
    let fresh_job = NewJob::new(c.tenant, "send_message", json!({}), at(7));
    assert!(matches!(
        store
            .insert_lead(
                &fresh,
                &[event(&ghost, "created", Value::Null, at(7))],
                std::slice::from_ref(&fresh_job),
                at(7)
            )
            .await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.get_lead(c.tenant, fresh.id).await.unwrap(), None);
    assert_eq!(store.get_lead(c.tenant, l.id).await.unwrap(), Some(l.clone()));
    for job in [&stray, &orphan_job, &fresh_job] {
        assert_eq!(store.get_job(c.tenant, job.id).await.unwrap(), None);
    }
    assert_eq!(job_ids(&store, c.tenant).await.len(), 3);
    assert_eq!(store.lead_events(c.tenant, l.id).await.unwrap().len(), 3);
    assert!(store.lead_events(c.tenant, ghost.id).await.unwrap().is_empty());

    // The jobs are real queue entries: due ones are claimed when their time comes.
    let claim = ClaimRequest {
        lease_token: Uuid::now_v7(),
        now: at(10),
        lease: SignedDuration::from_secs(30),
        limit: 10,
    };
    let mut claimed: Vec<JobId> = store.claim_jobs(&claim).await.unwrap().iter().map(|j| j.id).collect();
    claimed.sort();
    let mut due = vec![call.id, message.id];
    due.sort();
    assert_eq!(claimed, due);
}

pub async fn leads_are_tenant_scoped(store: DynStore) {
    let a = clinic(&store, "alpha").await;
    let b = clinic(&store, "beta").await;
    let l = full_lead(&a);
    let created = event(&l, "created", Value::Null, at(0));
    store.insert_lead(&l, std::slice::from_ref(&created), &[], t0()).await.unwrap();

    assert_eq!(store.get_lead(b.tenant, l.id).await.unwrap(), None);
    assert!(
        store
            .list_leads(b.tenant, &LeadFilter::default(), PageRequest::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let of_patient = LeadFilter { patient_id: Some(a.patient.id), ..Default::default() };
    assert!(store.list_leads(b.tenant, &of_patient, PageRequest::default()).await.unwrap().items.is_empty());
    assert_eq!(store.recent_lead_for_patient(b.tenant, a.patient.id, at(-60)).await.unwrap(), None);
    assert_eq!(store.latest_lead_for_patient(b.tenant, a.patient.id).await.unwrap(), None);
    assert!(store.lead_events(b.tenant, l.id).await.unwrap().is_empty());

    // Writes through another tenant find nothing and change nothing.
    let mut hijack = l.clone();
    hijack.tenant_id = b.tenant;
    hijack.patient_id = b.patient.id;
    hijack.stage = LeadStage::Lost;
    let job = NewJob::new(b.tenant, "send_message", json!({}), at(1));
    assert!(matches!(
        store.save_lead(&hijack, &[], std::slice::from_ref(&job), at(1)).await,
        Err(StoreError::NotFound)
    ));
    // An event of tenant B on A's lead is refused too.
    let mut foreign = event(&l, "note", json!("b was here"), at(2));
    foreign.tenant_id = b.tenant;
    let mine = lead(&b, LeadSource::Organic, 2);
    assert!(matches!(store.insert_lead(&mine, &[foreign], &[], at(2)).await, Err(StoreError::NotFound)));
    // A lead of tenant B cannot point at A's patient, on insert or on save.
    let mut borrowed = lead(&b, LeadSource::Organic, 3);
    borrowed.patient_id = a.patient.id;
    assert!(matches!(store.insert_lead(&borrowed, &[], &[], at(3)).await, Err(StoreError::NotFound)));
    store.insert_lead(&mine, &[], &[], at(3)).await.unwrap();
    let mut moved = mine.clone();
    moved.patient_id = a.patient.id;
    assert!(matches!(store.save_lead(&moved, &[], &[], at(4)).await, Err(StoreError::NotFound)));

    assert_eq!(store.get_lead(a.tenant, l.id).await.unwrap(), Some(l.clone()));
    assert_eq!(store.get_lead(b.tenant, mine.id).await.unwrap(), Some(mine.clone()));
    assert_eq!(store.get_lead(b.tenant, borrowed.id).await.unwrap(), None);
    assert_eq!(store.lead_events(a.tenant, l.id).await.unwrap(), vec![created]);
    assert!(store.lead_events(b.tenant, mine.id).await.unwrap().is_empty());
    assert_eq!(store.get_job(b.tenant, job.id).await.unwrap(), None);
    assert_eq!(
        ids(&store.list_leads(a.tenant, &LeadFilter::default(), PageRequest::default()).await.unwrap().items),
        vec![l.id]
    );
}

pub async fn leads_filter_and_page(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = clinic(&store, "beta").await;
    let second = second_patient(&store, &c).await;
    let p1 = c.patient.id;
    let p2 = second.id;
    // (patient, source, stage, temperature, minutes after t0), inserted oldest first.
    let shapes = [
        (p1, LeadSource::PaidAds, LeadStage::New, Temperature::Hot, 0),
        (p2, LeadSource::Whatsapp, LeadStage::Booked, Temperature::Warm, 10),
        (p1, LeadSource::PaidAds, LeadStage::Lost, Temperature::Cold, 20),
        (p2, LeadSource::Referral, LeadStage::New, Temperature::Hot, 30),
        (p1, LeadSource::Organic, LeadStage::New, Temperature::Cold, 40),
    ];
    let mut leads = Vec::new();
    for (patient, source, stage, temperature, mins) in shapes {
        let mut l = Lead::new(c.tenant, patient, source, at(mins));
        l.stage = stage;
        l.temperature = temperature;
        store.insert_lead(&l, &[], &[], t0()).await.unwrap();
        leads.push(l);
    }
    store.insert_lead(&lead(&other, LeadSource::PaidAds, 25), &[], &[], t0()).await.unwrap();
    let [l0, l1, l2, l3, l4] = [0, 1, 2, 3, 4].map(|i| leads[i].clone());
    let list = async |f: &LeadFilter, before: Option<Uuid>, limit: u32| {
        store.list_leads(c.tenant, f, PageRequest::new(before, Some(limit))).await.unwrap()
    };

    let all = LeadFilter::default();
    let page1 = list(&all, None, 3).await;
    assert_eq!(page1.items, vec![l4.clone(), l3.clone(), l2.clone()], "newest first");
    let page2 = list(&all, Some(page1.next_cursor.expect("a second page")), 3).await;
    assert_eq!((ids(&page2.items), page2.next_cursor), (vec![l1.id, l0.id], None));

    let new = LeadFilter { stage: Some(LeadStage::New), ..Default::default() };
    let first = list(&new, None, 2).await;
    assert_eq!(ids(&first.items), vec![l4.id, l3.id]);
    let rest = list(&new, first.next_cursor, 2).await;
    assert_eq!((ids(&rest.items), rest.next_cursor), (vec![l0.id], None));

    let hot = LeadFilter { temperature: Some(Temperature::Hot), ..Default::default() };
    assert_eq!(ids(&list(&hot, None, 50).await.items), vec![l3.id, l0.id]);
    let ads = LeadFilter { source: Some(LeadSource::PaidAds), ..Default::default() };
    assert_eq!(ids(&list(&ads, None, 50).await.items), vec![l2.id, l0.id]);
    let of_p2 = LeadFilter { patient_id: Some(p2), ..Default::default() };
    assert_eq!(ids(&list(&of_p2, None, 50).await.items), vec![l3.id, l1.id]);
    let combined = LeadFilter {
        patient_id: Some(p1),
        source: Some(LeadSource::PaidAds),
        temperature: Some(Temperature::Cold),
        ..Default::default()
    };
    assert_eq!(ids(&list(&combined, None, 50).await.items), vec![l2.id]);
    // `from` is inclusive, `to` exclusive.
    let window = LeadFilter { from: Some(at(10)), to: Some(at(30)), ..Default::default() };
    assert_eq!(ids(&list(&window, None, 50).await.items), vec![l2.id, l1.id]);
    let since = LeadFilter { from: Some(at(30)), ..Default::default() };
    assert_eq!(ids(&list(&since, None, 50).await.items), vec![l4.id, l3.id]);
    let until = LeadFilter { to: Some(at(10)), ..Default::default() };
    assert_eq!(ids(&list(&until, None, 50).await.items), vec![l0.id]);
    let none = LeadFilter { stage: Some(LeadStage::Showed), ..Default::default() };
    assert!(list(&none, None, 50).await.items.is_empty());
    let nobody = LeadFilter { source: Some(LeadSource::Import), ..Default::default() };
    assert!(list(&nobody, None, 50).await.items.is_empty());
}

pub async fn recent_and_latest_lead_for_patient(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let second = second_patient(&store, &c).await;
    assert_eq!(store.latest_lead_for_patient(c.tenant, c.patient.id).await.unwrap(), None);
    // Built newest first, so that id order and creation order disagree: the newest lead
    // is the one created last, whatever its id.
    let newest = lead(&c, LeadSource::Whatsapp, 30);
    let older = lead(&c, LeadSource::PaidAds, 20);
    let oldest = lead(&c, LeadSource::Crm, -7 * 24 * 60);
    for l in [&older, &newest, &oldest] {
        store.insert_lead(l, &[], &[], t0()).await.unwrap();
    }
    // Another patient's lead, newer than all of them.
    store
        .insert_lead(&Lead::new(c.tenant, second.id, LeadSource::Phone, at(40)), &[], &[], t0())
        .await
        .unwrap();

    let recent = async |since: Timestamp| {
        store.recent_lead_for_patient(c.tenant, c.patient.id, since).await.unwrap().map(|l| l.id)
    };
    assert_eq!(recent(at(-10 * 24 * 60)).await, Some(newest.id));
    assert_eq!(recent(at(20)).await, Some(newest.id));
    assert_eq!(recent(at(30)).await, Some(newest.id), "`since` is inclusive");
    assert_eq!(recent(at(30) + SignedDuration::from_micros(1)).await, None);
    assert_eq!(recent(at(31)).await, None);
    assert_eq!(store.latest_lead_for_patient(c.tenant, c.patient.id).await.unwrap(), Some(newest.clone()));

    // A patient whose only lead is a year old: still the latest, but not recent.
    let third = second_patient(&store, &c).await;
    let ancient = Lead::new(c.tenant, third.id, LeadSource::Import, at(-365 * 24 * 60));
    store.insert_lead(&ancient, &[], &[], t0()).await.unwrap();
    assert_eq!(store.latest_lead_for_patient(c.tenant, third.id).await.unwrap(), Some(ancient));
    assert_eq!(store.recent_lead_for_patient(c.tenant, third.id, at(-72 * 60)).await.unwrap(), None);
}

pub async fn lead_events_oldest_first(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let l = lead(&c, LeadSource::PaidAds, 0);
    let neighbour = lead(&c, LeadSource::Organic, 1);
    // Written out of order: the call request was stamped before the score that was saved first.
    let created = event(&l, "created", json!({"source": "paid_ads"}), precise(0, 1));
    let scored = event(&l, "scored", json!({"score": 70, "temperature": "hot"}), precise(5, 0));
    let requested = event(&l, "call_requested", json!({"reason": "speed_to_lead"}), precise(1, 999_999));
    let note = event(
        &l,
        "note",
        json!({"text": "Paciente pediu horário às 10h — “obrigada”", "list": [1, null, true], "empty": {}}),
        precise(10, 3),
    );
    // Same instant: the id (UUIDv7, time-ordered) breaks the tie.
    let tie_a = event(&l, "message_sent", Value::Null, precise(7, 0));
    let tie_b = event(&l, "merged", json!({"from_form": "f-2"}), precise(7, 0));
    store.insert_lead(&l, &[created.clone(), scored.clone()], &[], t0()).await.unwrap();
    store
        .insert_lead(&neighbour, &[event(&neighbour, "created", Value::Null, at(0))], &[], t0())
        .await
        .unwrap();
    store.save_lead(&l, &[note.clone(), requested.clone()], &[], at(11)).await.unwrap();
    store.save_lead(&l, &[tie_b.clone(), tie_a.clone()], &[], at(12)).await.unwrap();
    assert_eq!(
        store.lead_events(c.tenant, l.id).await.unwrap(),
        vec![created, requested, scored, tie_a, tie_b, note]
    );
    assert_eq!(store.lead_events(c.tenant, neighbour.id).await.unwrap().len(), 1);
    assert!(store.lead_events(c.tenant, LeadId::new()).await.unwrap().is_empty());
}

async fn conversation(store: &DynStore, c: &Clinic, patient: PatientId, channel: Channel) -> Conversation {
    store.conversation_for(&Conversation::new(c.tenant, patient, channel, t0())).await.unwrap()
}

fn dialogue(conv: &Conversation, state: Value, mins: i64) -> Dialogue {
    Dialogue {
        tenant_id: conv.tenant_id,
        conversation_id: conv.id,
        patient_id: conv.patient_id,
        state,
        version: 0,
        updated_at: precise(mins, 250_001),
        expires_at: precise(mins + 24 * 60, 250_001),
    }
}

pub async fn dialogues_insert_update_with_versions(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let second = second_patient(&store, &c).await;
    let conv = conversation(&store, &c, c.patient.id, Channel::Whatsapp).await;
    let other_conv = conversation(&store, &c, second.id, Channel::Whatsapp).await;
    assert_eq!(store.get_dialogue(c.tenant, conv.id).await.unwrap(), None);

    let state = json!({
        "step": "offer_slots", "service": "Consulta", "offered": ["2026-05-05T09:00:00-03:00", null],
        "attempts": 2, "nested": {"empty": {}, "list": []}, "text": "às 10h — “ok”",
    });
    let mut d = dialogue(&conv, state.clone(), 0);
    d.version = 42; // not read on save
    assert_eq!(store.save_dialogue(&d, None).await.unwrap(), 1);
    let stored = store.get_dialogue(c.tenant, conv.id).await.unwrap().unwrap();
    assert_eq!(stored, Dialogue { version: 1, ..d.clone() });
    // A second insert for the same conversation conflicts and changes nothing.
    let rival = dialogue(&conv, json!({"step": "start"}), 1);
    assert!(matches!(
        store.save_dialogue(&rival, None).await,
        Err(StoreError::Conflict(Conflict::Duplicate { what: Record::Dialogue }))
    ));
    assert_eq!(store.get_dialogue(c.tenant, conv.id).await.unwrap(), Some(stored.clone()));

    // Update against the version read: 1 -> 2.
    let next = dialogue(&conv, json!({"step": "confirm", "slot": "2026-05-05T09:00:00-03:00"}), 5);
    assert_eq!(store.save_dialogue(&next, Some(1)).await.unwrap(), 2);
    assert_eq!(
        store.get_dialogue(c.tenant, conv.id).await.unwrap(),
        Some(Dialogue { version: 2, ..next.clone() })
    );
    // A writer that read version 1 lost the race; one from the future is wrong too.
    let stale = dialogue(&conv, json!({"step": "stale"}), 6);
    for v in [1, 3, 0, -1] {
        assert!(
            matches!(store.save_dialogue(&stale, Some(v)).await, Err(StoreError::Conflict(Conflict::Stale))),
            "expected version {v}"
        );
    }
    assert_eq!(store.save_dialogue(&stale, Some(2)).await.unwrap(), 3);
    let current = Dialogue { version: 3, ..stale.clone() };
    assert_eq!(store.get_dialogue(c.tenant, conv.id).await.unwrap(), Some(current.clone()));

    // Dialogues are per conversation.
    let theirs = dialogue(&other_conv, json!({"step": "start"}), 7);
    assert_eq!(store.save_dialogue(&theirs, None).await.unwrap(), 1);
    // A dialogue must be for the conversation's own patient, of a conversation that exists.
    let mut mismatched = dialogue(&conv, json!({}), 8);
    mismatched.conversation_id = conversation(&store, &c, c.patient.id, Channel::Sms).await.id;
    mismatched.patient_id = second.id;
    assert!(matches!(store.save_dialogue(&mismatched, None).await, Err(StoreError::NotFound)));
    let mut nowhere = dialogue(&conv, json!({}), 8);
    nowhere.conversation_id = ConversationId::new();
    assert!(matches!(store.save_dialogue(&nowhere, None).await, Err(StoreError::NotFound)));

    // Deleting: gone; updating it is NotFound, deleting again is fine, inserting restarts at 1.
    store.delete_dialogue(c.tenant, conv.id).await.unwrap();
    assert_eq!(store.get_dialogue(c.tenant, conv.id).await.unwrap(), None);
    assert!(matches!(store.save_dialogue(&stale, Some(3)).await, Err(StoreError::NotFound)));
    store.delete_dialogue(c.tenant, conv.id).await.unwrap();
    assert_eq!(
        store.get_dialogue(c.tenant, other_conv.id).await.unwrap(),
        Some(Dialogue { version: 1, ..theirs })
    );
    assert_eq!(store.save_dialogue(&rival, None).await.unwrap(), 1);
    assert_eq!(store.get_dialogue(c.tenant, conv.id).await.unwrap(), Some(Dialogue { version: 1, ..rival }));
}

pub async fn concurrent_dialogue_updates_have_one_winner(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let conv = conversation(&store, &c, c.patient.id, Channel::Whatsapp).await;
    assert_eq!(store.save_dialogue(&dialogue(&conv, json!({"step": "start"}), 0), None).await.unwrap(), 1);
    // Ten messages handled at once, each having read version 1.
    let tasks: Vec<_> = (0..10)
        .map(|n| {
            let store = store.clone();
            let d = dialogue(&conv, json!({"step": "answered", "by": n}), 1);
            tokio::spawn(async move { (n, store.save_dialogue(&d, Some(1)).await) })
        })
        .collect();
    let mut winners = Vec::new();
    for joined in futures::future::join_all(tasks).await {
        match joined.unwrap() {
            (n, Ok(version)) => winners.push((n, version)),
            (_, Err(StoreError::Conflict(_))) => {}
            (_, Err(other)) => panic!("a loser must see Conflict, got {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one update wins: {winners:?}");
    let (n, version) = winners[0];
    assert_eq!(version, 2);
    let stored = store.get_dialogue(c.tenant, conv.id).await.unwrap().unwrap();
    assert_eq!((stored.version, &stored.state), (2, &json!({"step": "answered", "by": n})));

    // Concurrent first inserts: one wins, the rest conflict.
    let fresh = conversation(&store, &c, c.patient.id, Channel::Sms).await;
    let tasks: Vec<_> = (0..10)
        .map(|n| {
            let store = store.clone();
            let d = dialogue(&fresh, json!({"by": n}), 1);
            tokio::spawn(async move { store.save_dialogue(&d, None).await })
        })
        .collect();
    let results: Vec<_> = futures::future::join_all(tasks).await.into_iter().map(|r| r.unwrap()).collect();
    assert_eq!(results.iter().filter(|r| matches!(r, Ok(1))).count(), 1, "{results:?}");
    assert!(results.iter().all(|r| matches!(r, Ok(1) | Err(StoreError::Conflict(_)))), "{results:?}");
}

pub async fn dialogues_are_tenant_scoped(store: DynStore) {
    let a = clinic(&store, "alpha").await;
    let b = clinic(&store, "beta").await;
    let conv = conversation(&store, &a, a.patient.id, Channel::Whatsapp).await;
    let mine = dialogue(&conv, json!({"step": "start"}), 0);
    assert_eq!(store.save_dialogue(&mine, None).await.unwrap(), 1);

    assert_eq!(store.get_dialogue(b.tenant, conv.id).await.unwrap(), None);
    // Tenant B writing to A's conversation: absent, for inserts and updates alike.
    let mut hijack = dialogue(&conv, json!({"step": "hijacked"}), 1);
    hijack.tenant_id = b.tenant;
    assert!(matches!(store.save_dialogue(&hijack, None).await, Err(StoreError::NotFound)));
    assert!(matches!(store.save_dialogue(&hijack, Some(1)).await, Err(StoreError::NotFound)));
    hijack.patient_id = b.patient.id;
    assert!(matches!(store.save_dialogue(&hijack, None).await, Err(StoreError::NotFound)));
    store.delete_dialogue(b.tenant, conv.id).await.unwrap();
    assert_eq!(store.get_dialogue(a.tenant, conv.id).await.unwrap(), Some(Dialogue { version: 1, ..mine }));
}
