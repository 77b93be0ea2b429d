//! Conformance cases for voice calls, their transcripts, payloads and tallies.

use crate::conformance_scheduling::{Clinic, appointment, booking, clinic};
use crate::*;
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::jobs::{JobStatus, NewJob};
use frontdesk_domain::messaging::MessageText;
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::patients::Patient;
use frontdesk_domain::tenant::Locale;
use frontdesk_domain::voice::*;
use frontdesk_domain::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
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

fn outbound(c: &Clinic, mins: i64) -> Call {
    Call::outbound(c.tenant, c.patient.id, "vapi", Some("hot_lead".into()), at(mins))
}

fn ids(calls: &[Call]) -> Vec<CallId> {
    calls.iter().map(|c| c.id).collect()
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

/// A call with every optional field set, Json values nested, odd floats and sub-second
/// timestamps, so a column dropped or narrowed anywhere shows up as a difference.
fn full_call(c: &Clinic, parent: CallId, booked: AppointmentId) -> Call {
    Call {
        id: CallId::new(),
        tenant_id: c.tenant,
        patient_id: Some(c.patient.id),
        lead_id: Some(LeadId::new()),
        direction: CallDirection::Inbound,
        provider: "vapi".into(),
        provider_call_id: Some("vapi-call-1".into()),
        status: CallStatus::Ended,
        reason: Some("confirmation".into()),
        assistant_id: Some("asst-42".into()),
        attempt: 3,
        parent_call_id: Some(parent),
        ended_reason: Some("customer-ended-call".into()),
        started_at: Some(precise(1, 123_456)),
        ended_at: Some(precise(4, 987_654)),
        duration_seconds: Some(221.864_198),
        cost: Some(0.1234),
        cost_breakdown: json!({
            "llm": 0.0123, "stt": 0.002, "tts": 0.07, "transport": 0, "total": 0.1234,
            "analysisCostBreakdown": {"summary": 0.0001, "tokens": [12, 345, 6789]},
        }),
        recording_url: Some("https://storage.example/rec/1.wav".into()),
        stereo_recording_url: Some("https://storage.example/rec/1-stereo.wav".into()),
        summary: Some(MessageText::new("Paciente confirmou; pediu lembrete às 10h — “obrigada”")),
        structured_data: json!({"outcome": "booked", "confidence": 0.93, "slots": ["09:00", null, true]}),
        outcome: Some(CallOutcome::Booked),
        outcome_reason: Some("an appointment was booked during the call".into()),
        callback_at: Some(precise(24 * 60, 1)),
        appointment_id: Some(booked),
        error: Some("first attempt refused by the carrier".into()),
        created_at: precise(0, 1),
        updated_at: precise(5, 999_999),
    }
}

pub async fn calls_round_trip_every_field(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let booked = appointment(&c, 0, 120, 30, 0);
    store.book_appointment(&booking(&booked)).await.unwrap();
    let parent = outbound(&c, 0);
    store.insert_call(&parent, &[], t0()).await.unwrap();
    // The minimal call: every option empty, Json null.
    assert_eq!(store.get_call(c.tenant, parent.id).await.unwrap(), Some(parent.clone()));

    let call = full_call(&c, parent.id, booked.id);
    store.insert_call(&call, &[], t0()).await.unwrap();
    assert_eq!(store.get_call(c.tenant, call.id).await.unwrap(), Some(call.clone()));
    assert_eq!(store.call_by_provider_id(c.tenant, "vapi", "vapi-call-1").await.unwrap(), Some(call.clone()));

    // Saving writes every mutable field, clearing options included.
    let mut cleared = call.clone();
    cleared.patient_id = None;
    cleared.lead_id = None;
    cleared.direction = CallDirection::Outbound;
    cleared.provider = "sandbox".into();
    cleared.provider_call_id = None;
    cleared.status = CallStatus::Failed;
    cleared.reason = None;
    cleared.assistant_id = None;
    cleared.attempt = 4;
    cleared.parent_call_id = None;
    cleared.ended_reason = None;
    cleared.started_at = None;
    cleared.ended_at = None;
    cleared.duration_seconds = None;
    cleared.cost = None;
    cleared.cost_breakdown = serde_json::Value::Null;
    cleared.recording_url = None;
    cleared.stereo_recording_url = None;
    cleared.summary = None;
    cleared.structured_data = serde_json::Value::Null;
    cleared.outcome = None;
    cleared.outcome_reason = None;
    cleared.callback_at = None;
    cleared.appointment_id = None;
    cleared.error = None;
    cleared.updated_at = precise(6, 5);
    store.save_call(&cleared, &[], at(6)).await.unwrap();
    assert_eq!(store.get_call(c.tenant, call.id).await.unwrap(), Some(cleared.clone()));
    assert_eq!(store.call_by_provider_id(c.tenant, "vapi", "vapi-call-1").await.unwrap(), None);

    // And filling them again brings every value back.
    let mut refilled = call.clone();
    refilled.status = CallStatus::Ended;
    refilled.provider_call_id = Some("vapi-call-1b".into());
    refilled.duration_seconds = Some(0.1 + 0.2);
    refilled.cost = Some(f64::MIN_POSITIVE);
    refilled.structured_data = json!([{"nested": {"deep": [1.5, -2, "três"]}}]);
    refilled.updated_at = precise(7, 7);
    store.save_call(&refilled, &[], at(7)).await.unwrap();
    assert_eq!(store.get_call(c.tenant, call.id).await.unwrap(), Some(refilled.clone()));
    assert_eq!(store.call_by_provider_id(c.tenant, "vapi", "vapi-call-1b").await.unwrap(), Some(refilled));
    // The other call was not touched by either save.
    assert_eq!(store.get_call(c.tenant, parent.id).await.unwrap(), Some(parent));
}

pub async fn call_provider_ids_are_unique_per_tenant_and_provider(store: DynStore) {
    let a = clinic(&store, "alpha").await;
    let b = clinic(&store, "beta").await;
    let with_pid = |c: &Clinic, provider: &str, pid: Option<&str>, mins| {
        let mut call = outbound(c, mins);
        call.provider = provider.into();
        call.provider_call_id = pid.map(str::to_owned);
        call
    };
    let first = with_pid(&a, "vapi", Some("pc-1"), 0);
    store.insert_call(&first, &[], t0()).await.unwrap();
    // A retried webhook creating the same provider call again.
    let again = with_pid(&a, "vapi", Some("pc-1"), 1);
    assert!(matches!(
        store.insert_call(&again, &[], t0()).await,
        Err(StoreError::Conflict(Conflict::Duplicate { what: Record::Call }))
    ));
    assert_eq!(store.get_call(a.tenant, again.id).await.unwrap(), None);
    // The same id at another provider, or at another tenant, is another call.
    let sandbox = with_pid(&a, "sandbox", Some("pc-1"), 2);
    store.insert_call(&sandbox, &[], t0()).await.unwrap();
    let theirs = with_pid(&b, "vapi", Some("pc-1"), 3);
    store.insert_call(&theirs, &[], t0()).await.unwrap();
    // Calls not yet accepted by the provider have no id, and any number of them exist.
    let unplaced = [with_pid(&a, "vapi", None, 4), with_pid(&a, "vapi", None, 5)];
    for call in &unplaced {
        store.insert_call(call, &[], t0()).await.unwrap();
    }

    assert_eq!(store.call_by_provider_id(a.tenant, "vapi", "pc-1").await.unwrap(), Some(first.clone()));
    assert_eq!(store.call_by_provider_id(a.tenant, "sandbox", "pc-1").await.unwrap(), Some(sandbox));
    assert_eq!(store.call_by_provider_id(b.tenant, "vapi", "pc-1").await.unwrap(), Some(theirs));
    assert_eq!(store.call_by_provider_id(a.tenant, "vapi", "pc-2").await.unwrap(), None);
    assert_eq!(store.call_by_provider_id(a.tenant, "other", "pc-1").await.unwrap(), None);

    // Accepting an unplaced call under an id already taken is refused as well.
    let mut accepted = unplaced[0].clone();
    accepted.provider_call_id = Some("pc-1".into());
    assert!(matches!(
        store.save_call(&accepted, &[], at(6)).await,
        Err(StoreError::Conflict(Conflict::Duplicate { what: Record::Call }))
    ));
    assert_eq!(store.get_call(a.tenant, accepted.id).await.unwrap(), Some(unplaced[0].clone()));
    accepted.provider_call_id = Some("pc-9".into());
    store.save_call(&accepted, &[], at(6)).await.unwrap();
    assert_eq!(store.call_by_provider_id(a.tenant, "vapi", "pc-9").await.unwrap(), Some(accepted));
}

pub async fn calls_are_tenant_scoped(store: DynStore) {
    let a = clinic(&store, "alpha").await;
    let b = clinic(&store, "beta").await;
    let mut call = outbound(&a, 0);
    call.provider_call_id = Some("pc-a".into());
    store.insert_call(&call, &[], t0()).await.unwrap();
    let turns = vec![TranscriptTurn {
        role: "assistant".into(),
        text: MessageText::new("Olá!"),
        seconds_from_start: Some(0.5),
    }];
    store.replace_transcript(a.tenant, call.id, &turns).await.unwrap();
    let payload = CallPayload {
        call_id: call.id,
        kind: "status-update".into(),
        payload: json!({"n": 1}),
        received_at: at(1),
    };
    store.record_call_payload(a.tenant, &payload).await.unwrap();

    assert_eq!(store.get_call(b.tenant, call.id).await.unwrap(), None);
    assert_eq!(store.call_by_provider_id(b.tenant, "vapi", "pc-a").await.unwrap(), None);
    assert!(
        store
            .list_calls(b.tenant, &CallFilter::default(), PageRequest::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(store.transcript(b.tenant, call.id).await.unwrap().is_empty());
    assert!(store.call_payloads(b.tenant, call.id).await.unwrap().is_empty());
    assert!(store.call_tallies(b.tenant, at(-60), at(60)).await.unwrap().is_empty());

    // Writes through another tenant find nothing and change nothing.
    let mut hijack = call.clone();
    hijack.tenant_id = b.tenant;
    hijack.status = CallStatus::Skipped;
    assert!(matches!(store.save_call(&hijack, &[], at(2)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.replace_transcript(b.tenant, call.id, &[]).await, Err(StoreError::NotFound)));
    assert!(matches!(store.record_call_payload(b.tenant, &payload).await, Err(StoreError::NotFound)));
    assert_eq!(store.get_call(a.tenant, call.id).await.unwrap(), Some(call.clone()));
    assert_eq!(store.transcript(a.tenant, call.id).await.unwrap(), turns);
    assert_eq!(store.call_payloads(a.tenant, call.id).await.unwrap(), vec![payload]);
    // And a call nobody has is not found either.
    let ghost = outbound(&a, 3);
    assert!(matches!(store.save_call(&ghost, &[], at(3)).await, Err(StoreError::NotFound)));
    assert!(matches!(store.replace_transcript(a.tenant, ghost.id, &turns).await, Err(StoreError::NotFound)));
}

pub async fn calls_filter_and_page(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = clinic(&store, "beta").await;
    let second = Patient::new(
        c.tenant,
        PersonName::parse("João Pereira").unwrap(),
        PhoneE164::parse("+5521999887766", "BR").unwrap(),
        Locale::PtBr,
        t0(),
    );
    store.create_patient(&second).await.unwrap();
    let p1 = Some(c.patient.id);
    let p2 = Some(second.id);
    // (patient, status, outcome, minutes after t0), inserted oldest first.
    let shapes = [
        (p1, CallStatus::Ended, Some(CallOutcome::NoAnswer), 0),
        (p2, CallStatus::Ended, Some(CallOutcome::Booked), 10),
        (None, CallStatus::InProgress, None, 20),
        (p1, CallStatus::Ended, Some(CallOutcome::Booked), 30),
        (p1, CallStatus::Queued, None, 40),
    ];
    let mut calls = Vec::new();
    for (patient, status, outcome, mins) in shapes {
        let mut call = outbound(&c, mins);
        call.patient_id = patient;
        call.status = status;
        call.outcome = outcome;
        store.insert_call(&call, &[], t0()).await.unwrap();
        calls.push(call);
    }
    store.insert_call(&outbound(&other, 25), &[], t0()).await.unwrap();
    let [c0, c1, c2, c3, c4] = [0, 1, 2, 3, 4].map(|i| calls[i].clone());
    let list = async |f: &CallFilter, before: Option<Uuid>, limit: u32| {
        store.list_calls(c.tenant, f, PageRequest::new(before, Some(limit))).await.unwrap()
    };

    let all = CallFilter::default();
    let page1 = list(&all, None, 2).await;
    assert_eq!(page1.items, vec![c4.clone(), c3.clone()], "newest first");
    let page2 = list(&all, Some(page1.next_cursor.expect("a second page")), 2).await;
    assert_eq!(ids(&page2.items), vec![c2.id, c1.id]);
    let page3 = list(&all, Some(page2.next_cursor.expect("a third page")), 2).await;
    assert_eq!(ids(&page3.items), vec![c0.id]);
    assert_eq!(page3.next_cursor, None);

    let ended = CallFilter { status: Some(CallStatus::Ended), ..Default::default() };
    let first = list(&ended, None, 2).await;
    assert_eq!(ids(&first.items), vec![c3.id, c1.id]);
    let rest = list(&ended, first.next_cursor, 2).await;
    assert_eq!((ids(&rest.items), rest.next_cursor), (vec![c0.id], None));

    let booked = CallFilter { outcome: Some(CallOutcome::Booked), ..Default::default() };
    assert_eq!(ids(&list(&booked, None, 50).await.items), vec![c3.id, c1.id]);
    let of_p1 = CallFilter { patient_id: p1, ..Default::default() };
    assert_eq!(ids(&list(&of_p1, None, 50).await.items), vec![c4.id, c3.id, c0.id]);
    let both = CallFilter { patient_id: p1, outcome: Some(CallOutcome::Booked), ..Default::default() };
    assert_eq!(ids(&list(&both, None, 50).await.items), vec![c3.id]);
    // `from` is inclusive, `to` exclusive.
    let window = CallFilter { from: Some(at(10)), to: Some(at(30)), ..Default::default() };
    assert_eq!(ids(&list(&window, None, 50).await.items), vec![c2.id, c1.id]);
    let since = CallFilter { from: Some(at(30)), ..Default::default() };
    assert_eq!(ids(&list(&since, None, 50).await.items), vec![c4.id, c3.id]);
    let until = CallFilter { to: Some(at(10)), ..Default::default() };
    assert_eq!(ids(&list(&until, None, 50).await.items), vec![c0.id]);
    let none = CallFilter { status: Some(CallStatus::Skipped), ..Default::default() };
    assert!(list(&none, None, 50).await.items.is_empty());
}

pub async fn transcript_is_replaced_in_order(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let call = outbound(&c, 0);
    let neighbour = outbound(&c, 1);
    store.insert_call(&call, &[], t0()).await.unwrap();
    store.insert_call(&neighbour, &[], t0()).await.unwrap();
    let turn = |role: &str, text: &str, secs: Option<f64>| TranscriptTurn {
        role: role.into(),
        text: MessageText::new(text),
        seconds_from_start: secs,
    };
    let first = vec![
        turn("assistant", "Olá, aqui é a clínica.", Some(0.0)),
        turn("patient", "Oi", Some(2.125)),
        turn("assistant", "Podemos confirmar?", Some(3.3)),
        turn("patient", "Sim", None),
    ];
    let kept = vec![turn("system", "other call", Some(1.0))];
    store.replace_transcript(c.tenant, call.id, &first).await.unwrap();
    store.replace_transcript(c.tenant, neighbour.id, &kept).await.unwrap();
    assert_eq!(store.transcript(c.tenant, call.id).await.unwrap(), first);

    // A repeated end-of-call report: only the second, shorter transcript remains, in order.
    let second = vec![
        turn("patient", "Alô?", Some(0.75)),
        turn("assistant", "Bom dia!", Some(1.5)),
        turn("tool", "{\"booked\":true}", None),
    ];
    store.replace_transcript(c.tenant, call.id, &second).await.unwrap();
    assert_eq!(store.transcript(c.tenant, call.id).await.unwrap(), second);
    assert_eq!(store.transcript(c.tenant, neighbour.id).await.unwrap(), kept);
    store.replace_transcript(c.tenant, call.id, &[]).await.unwrap();
    assert!(store.transcript(c.tenant, call.id).await.unwrap().is_empty());
}

pub async fn concurrent_transcript_replacements_leave_one_copy(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let call = outbound(&c, 0);
    store.insert_call(&call, &[], t0()).await.unwrap();
    // The same end-of-call report delivered several times at once, each a different length.
    let version = |n: usize| -> Vec<TranscriptTurn> {
        (0..=n)
            .map(|i| TranscriptTurn {
                role: if i % 2 == 0 { "assistant".into() } else { "patient".into() },
                text: MessageText::new(format!("report {n} turn {i}")),
                seconds_from_start: Some(i as f64),
            })
            .collect()
    };
    let tasks: Vec<_> = (0..6)
        .map(|n| {
            let store = store.clone();
            let tenant = c.tenant;
            let id = call.id;
            tokio::spawn(async move { store.replace_transcript(tenant, id, &version(n)).await })
        })
        .collect();
    for result in futures::future::join_all(tasks).await {
        result.unwrap().expect("every replacement succeeds");
    }
    let stored = store.transcript(c.tenant, call.id).await.unwrap();
    assert!((0..6).any(|n| stored == version(n)), "one whole copy, not a mix: {stored:?}");
}

pub async fn call_payloads_are_kept_oldest_first(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let call = outbound(&c, 0);
    let neighbour = outbound(&c, 1);
    store.insert_call(&call, &[], t0()).await.unwrap();
    store.insert_call(&neighbour, &[], t0()).await.unwrap();
    let payload = |call: &Call, kind: &str, secs: i64| CallPayload {
        call_id: call.id,
        kind: kind.into(),
        payload: json!({
            "message": {"type": kind, "timestamp": secs, "cost": 0.0625, "artifact": {"messages": [{"role": "bot"}]}},
            "unicode": "ligação às 10h",
            "empty": {}, "list": [], "null": null,
        }),
        received_at: t0() + SignedDuration::from_secs(secs),
    };
    // Delivered out of order: the end-of-call report overtook the status update.
    let late = payload(&call, "end-of-call-report", 90);
    let early = payload(&call, "status-update", 10);
    let middle = payload(&call, "transcript", 45);
    for p in [&late, &early, &middle, &payload(&neighbour, "status-update", 5)] {
        store.record_call_payload(c.tenant, p).await.unwrap();
    }
    assert_eq!(store.call_payloads(c.tenant, call.id).await.unwrap(), vec![early, middle, late]);
    assert_eq!(store.call_payloads(c.tenant, neighbour.id).await.unwrap().len(), 1);
    assert!(store.call_payloads(c.tenant, CallId::new()).await.unwrap().is_empty());
}

pub async fn call_tallies_group_by_outcome_within_the_period(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = clinic(&store, "beta").await;
    let from = at(0);
    let to = at(60);
    // Values that are exact in binary, so sums compare exactly.
    let shapes = [
        (Some(CallOutcome::Booked), Some(100.5), Some(0.5), from),
        (Some(CallOutcome::Booked), Some(50.25), Some(0.25), at(30)),
        (Some(CallOutcome::NoAnswer), None, Some(0.0625), at(59)),
        (None, None, None, at(10)),
        (None, Some(10.0), None, at(20)),
        // Outside the period: just before `from`, exactly at `to`.
        (Some(CallOutcome::Booked), Some(999.0), Some(9.0), from - SignedDuration::from_micros(1)),
        (Some(CallOutcome::Busy), Some(1.0), Some(1.0), to),
        (Some(CallOutcome::Completed), Some(1.0), Some(1.0), at(120)),
    ];
    for (outcome, duration, cost, created) in shapes {
        let mut call = Call::outbound(c.tenant, c.patient.id, "vapi", None, created);
        call.outcome = outcome;
        call.duration_seconds = duration;
        call.cost = cost;
        store.insert_call(&call, &[], created).await.unwrap();
    }
    let mut theirs = outbound(&other, 5);
    theirs.outcome = Some(CallOutcome::Booked);
    theirs.duration_seconds = Some(7.0);
    store.insert_call(&theirs, &[], t0()).await.unwrap();

    let mut tallies = store.call_tallies(c.tenant, from, to).await.unwrap();
    tallies.sort_by_key(|t| t.outcome);
    let tally =
        |outcome, calls, duration_seconds, cost| OutcomeTally { outcome, calls, duration_seconds, cost };
    assert_eq!(
        tallies,
        vec![
            tally(None, 2, 10.0, 0.0),
            tally(Some(CallOutcome::Booked), 2, 150.75, 0.75),
            tally(Some(CallOutcome::NoAnswer), 1, 0.0, 0.0625),
        ]
    );
    assert!(store.call_tallies(c.tenant, at(200), at(300)).await.unwrap().is_empty());
}

pub async fn call_jobs_are_enqueued_with_the_call(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let mut call = outbound(&c, 0);
    call.provider_call_id = Some("pc-1".into());
    let place = NewJob::new(c.tenant, "place_call", json!({"call_id": call.id}), at(0));
    let later = NewJob::new(c.tenant, "call_timeout", json!({"call_id": call.id}), at(30));
    store.insert_call(&call, &[place.clone(), later.clone()], at(0)).await.unwrap();
    assert_eq!(job_ids(&store, c.tenant).await, {
        let mut want = vec![place.id, later.id];
        want.sort();
        want
    });

    call.status = CallStatus::Ended;
    call.outcome = Some(CallOutcome::NoAnswer);
    call.updated_at = at(5);
    let retry = NewJob::new(c.tenant, "place_call", json!({"call_id": call.id, "attempt": 2}), at(15));
    store.save_call(&call, std::slice::from_ref(&retry), at(5)).await.unwrap();
    let stored = store.get_job(c.tenant, retry.id).await.unwrap().expect("the retry was enqueued");
    assert_eq!(
        (stored.kind.as_str(), stored.run_at, stored.status),
        ("place_call", at(15), JobStatus::Queued)
    );
    assert_eq!(stored.payload, retry.payload);

    // A write that fails enqueues nothing: the jobs share its transaction.
    let mut duplicate = outbound(&c, 1);
    duplicate.provider_call_id = Some("pc-1".into());
    let orphan = NewJob::new(c.tenant, "place_call", json!({}), at(1));
    assert!(matches!(
        store.insert_call(&duplicate, std::slice::from_ref(&orphan), at(1)).await,
        Err(StoreError::Conflict(_))
    ));
    let ghost = outbound(&c, 2);
    let stray = NewJob::new(c.tenant, "place_call", json!({}), at(2));
    assert!(matches!(
        store.save_call(&ghost, std::slice::from_ref(&stray), at(2)).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.get_job(c.tenant, orphan.id).await.unwrap(), None);
    assert_eq!(store.get_job(c.tenant, stray.id).await.unwrap(), None);
    assert_eq!(job_ids(&store, c.tenant).await.len(), 3);

    // The jobs are real queue entries: due ones are claimed when their time comes.
    let claim = ClaimRequest {
        lease_token: Uuid::now_v7(),
        now: at(20),
        lease: SignedDuration::from_secs(30),
        limit: 10,
    };
    let mut claimed: Vec<JobId> = store.claim_jobs(&claim).await.unwrap().iter().map(|j| j.id).collect();
    claimed.sort();
    let mut due = vec![place.id, retry.id];
    due.sort();
    assert_eq!(claimed, due);
}
