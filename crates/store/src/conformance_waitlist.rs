//! The waitlist: entries round-trip and list per tenant, an entry is offered a slot once,
//! offers are filed with their jobs, and an offer leaves `pending` exactly once even when
//! many try at the same moment.

use crate::conformance_scheduling::{Clinic, clinic};
use crate::*;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::waitlist::*;
use frontdesk_domain::*;
use jiff::civil::{date, time};
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

fn t0() -> Timestamp {
    "2026-05-04T12:00:00.123456Z".parse().unwrap()
}

fn entry(c: &Clinic, mins: i64) -> WaitlistEntry {
    let at = t0() + SignedDuration::from_mins(mins);
    WaitlistEntry {
        id: Uuid::now_v7(),
        tenant_id: c.tenant,
        patient_id: c.patient.id,
        service_id: c.service.id,
        practitioner_id: Some(c.doctors[0].id),
        location_id: None,
        windows: vec![TimeWindow { weekdays: vec![0, 4], from: time(8, 0, 0, 0), to: time(12, 30, 0, 0) }],
        not_after: Some(date(2026, 7, 31)),
        status: EntryStatus::Waiting,
        source: "api".into(),
        created_at: at,
        updated_at: at,
    }
}

fn offer(c: &Clinic, e: &WaitlistEntry, start: Timestamp) -> WaitlistOffer {
    WaitlistOffer {
        id: Uuid::now_v7(),
        tenant_id: c.tenant,
        entry_id: e.id,
        patient_id: e.patient_id,
        slot: FreedSlot {
            practitioner_id: c.doctors[0].id,
            location_id: c.location.id,
            service_id: c.service.id,
            start,
            end: start + SignedDuration::from_mins(30),
        },
        status: OfferStatus::Pending,
        round: 1,
        sent_at: t0(),
        expires_at: t0() + SignedDuration::from_mins(30),
        appointment_id: None,
        created_at: t0(),
        updated_at: t0(),
    }
}

pub async fn waitlist_entries_round_trip_and_are_tenant_scoped(store: DynStore) {
    let c = clinic(&store, "wl-entries").await;
    let other = clinic(&store, "wl-other").await;
    let first = entry(&c, 0);
    let mut anyone = entry(&c, 5);
    anyone.practitioner_id = None;
    anyone.windows.clear();
    anyone.not_after = None;
    store.add_waitlist_entry(&first).await.unwrap();
    store.add_waitlist_entry(&anyone).await.unwrap();
    store.add_waitlist_entry(&entry(&other, 0)).await.unwrap();

    assert_eq!(store.get_waitlist_entry(c.tenant, first.id).await.unwrap(), Some(first.clone()));
    assert_eq!(store.get_waitlist_entry(other.tenant, first.id).await.unwrap(), None);
    let listed = store.list_waitlist_entries(c.tenant, None, PageRequest::default()).await.unwrap();
    assert_eq!(listed.items.iter().map(|e| e.id).collect::<Vec<_>>(), [anyone.id, first.id], "newest first");
    let waiting = store.waiting_for_service(c.tenant, c.service.id).await.unwrap();
    assert_eq!(waiting.iter().map(|e| e.id).collect::<Vec<_>>(), [first.id, anyone.id], "oldest first");

    let later = t0() + SignedDuration::from_hours(1);
    assert!(
        store
            .move_waitlist_entry(c.tenant, first.id, EntryStatus::Waiting, EntryStatus::Removed, later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .move_waitlist_entry(c.tenant, first.id, EntryStatus::Waiting, EntryStatus::Booked, later)
            .await
            .unwrap()
    );
    assert!(
        !store
            .move_waitlist_entry(other.tenant, anyone.id, EntryStatus::Waiting, EntryStatus::Removed, later)
            .await
            .unwrap()
    );
    let waiting = store.waiting_for_service(c.tenant, c.service.id).await.unwrap();
    assert_eq!(waiting.iter().map(|e| e.id).collect::<Vec<_>>(), [anyone.id]);
    let removed = store
        .list_waitlist_entries(c.tenant, Some(EntryStatus::Removed), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(removed.items.len(), 1);
    assert_eq!(removed.items[0].updated_at, later);
}

pub async fn a_slot_is_offered_to_an_entry_once_with_its_jobs(store: DynStore) {
    let c = clinic(&store, "wl-offers").await;
    let e = entry(&c, 0);
    store.add_waitlist_entry(&e).await.unwrap();
    let start: Timestamp = "2026-05-08T13:00:00Z".parse().unwrap();
    let first = offer(&c, &e, start);
    let job = |o: &WaitlistOffer| {
        NewJob::new(c.tenant, "waitlist.test", serde_json::json!({"offer": o.id}), t0())
            .with_dedupe_key(format!("offer:{}", o.id))
    };
    let filed = store.file_waitlist_offers(std::slice::from_ref(&first), &[job(&first)], t0()).await.unwrap();
    assert_eq!(filed, vec![first.clone()]);
    // The same slot again for the same entry is skipped; another slot is not.
    let again = offer(&c, &e, start);
    let other_slot = offer(&c, &e, start + SignedDuration::from_hours(1));
    let filed = store.file_waitlist_offers(&[again.clone(), other_slot.clone()], &[], t0()).await.unwrap();
    assert_eq!(filed.iter().map(|o| o.id).collect::<Vec<_>>(), [other_slot.id]);

    assert_eq!(store.get_waitlist_offer(c.tenant, first.id).await.unwrap(), Some(first.clone()));
    let for_slot = store.offers_for_slot(c.tenant, c.doctors[0].id, start).await.unwrap();
    assert_eq!(for_slot.iter().map(|o| o.id).collect::<Vec<_>>(), [first.id]);
    let jobs = store.list_jobs(c.tenant, &JobFilter::default(), PageRequest::default()).await.unwrap();
    assert!(jobs.items.iter().any(|j| j.kind == "waitlist.test"), "the offer's job is filed with it");

    let by_patient = OfferFilter { patient_id: Some(c.patient.id), ..Default::default() };
    assert_eq!(
        store.list_waitlist_offers(c.tenant, &by_patient, PageRequest::default()).await.unwrap().items.len(),
        2
    );
    let pending =
        OfferFilter { status: Some(OfferStatus::Pending), entry_id: Some(e.id), ..Default::default() };
    assert_eq!(
        store.list_waitlist_offers(c.tenant, &pending, PageRequest::default()).await.unwrap().items.len(),
        2
    );

    let booked = AppointmentId::new();
    let later = t0() + SignedDuration::from_mins(3);
    assert!(
        store
            .move_waitlist_offer(
                c.tenant,
                first.id,
                OfferStatus::Pending,
                OfferStatus::Accepted,
                Some(booked),
                later
            )
            .await
            .unwrap()
    );
    let moved = store.get_waitlist_offer(c.tenant, first.id).await.unwrap().unwrap();
    assert_eq!(
        (moved.status, moved.appointment_id, moved.updated_at),
        (OfferStatus::Accepted, Some(booked), later)
    );
    assert!(
        !store
            .move_waitlist_offer(c.tenant, first.id, OfferStatus::Pending, OfferStatus::Taken, None, later)
            .await
            .unwrap()
    );
    let accepted = OfferFilter { status: Some(OfferStatus::Accepted), ..Default::default() };
    assert_eq!(
        store.list_waitlist_offers(c.tenant, &accepted, PageRequest::default()).await.unwrap().items.len(),
        1
    );
}

pub async fn concurrent_offer_moves_have_one_winner(store: DynStore) {
    let c = clinic(&store, "wl-race").await;
    let e = entry(&c, 0);
    store.add_waitlist_entry(&e).await.unwrap();
    let o = offer(&c, &e, "2026-05-08T13:00:00Z".parse().unwrap());
    store.file_waitlist_offers(std::slice::from_ref(&o), &[], t0()).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..8 {
        let store = store.clone();
        let to = if i % 2 == 0 { OfferStatus::Accepted } else { OfferStatus::Taken };
        tasks.spawn(async move {
            store.move_waitlist_offer(o.tenant_id, o.id, OfferStatus::Pending, to, None, t0()).await.unwrap()
        });
    }
    let mut winners = 0;
    while let Some(done) = tasks.join_next().await {
        winners += usize::from(done.unwrap());
    }
    assert_eq!(winners, 1);
}
