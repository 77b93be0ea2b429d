//! Conformance: optimistic concurrency on leads, conversations, patients and settings. A
//! save with the version that was read succeeds and moves the version on; a save with an
//! older version is refused as `Conflict::Stale` and changes nothing.

use crate::conformance_scheduling::clinic;
use crate::*;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::leads::{Lead, LeadEvent, LeadSource};
use frontdesk_domain::messaging::{Channel, Conversation, ConversationStatus};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::settings::TenantSettings;
use frontdesk_domain::{ConversationId, LeadId, PatientId};
use jiff::Timestamp;
use serde_json::json;

fn t0() -> Timestamp {
    "2026-05-04T12:00:00Z".parse().unwrap()
}

fn stale<T: std::fmt::Debug>(r: StoreResult<T>) -> bool {
    matches!(r, Err(StoreError::Conflict(Conflict::Stale)))
}

pub async fn lead_saves_check_the_version(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = clinic(&store, "beta").await;
    let lead = Lead::new(c.tenant, c.patient.id, LeadSource::PaidAds, t0());
    store.insert_lead(&lead, &[], &[], t0()).await.unwrap();
    let read = store.get_lead_versioned(c.tenant, lead.id).await.unwrap().unwrap();
    assert_eq!((read.version, &read.value), (1, &lead));

    let mut mine = read.value.clone();
    mine.notes = Some("ligar à tarde".into());
    assert_eq!(store.save_lead_if(&mine, read.version, &[], &[], t0()).await.unwrap(), 2);

    // A second editor still holding version 1 is refused, and its events and jobs with it.
    let mut theirs = read.value.clone();
    theirs.notes = Some("não ligar".into());
    let note = LeadEvent::new(&theirs, "note", json!({}), t0());
    let job = NewJob::new(c.tenant, "lead.follow_up", json!({}), t0());
    assert!(stale(store.save_lead_if(&theirs, read.version, &[note], &[job], t0()).await));
    let now = store.get_lead_versioned(c.tenant, lead.id).await.unwrap().unwrap();
    assert_eq!((now.version, now.value.notes.as_deref()), (2, Some("ligar à tarde")));
    assert!(store.lead_events(c.tenant, lead.id).await.unwrap().is_empty());
    let jobs = store.list_jobs(c.tenant, &JobFilter::default(), PageRequest::default()).await.unwrap();
    assert!(jobs.items.is_empty());

    // An unversioned save moves the version on too, so a reader of 2 is now stale.
    store.save_lead(&mine, &[], &[], t0()).await.unwrap();
    assert_eq!(store.get_lead_versioned(c.tenant, lead.id).await.unwrap().unwrap().version, 3);
    assert!(stale(store.save_lead_if(&mine, 2, &[], &[], t0()).await));

    // Absent, or another tenant's: not found, whatever the version.
    let missing = Lead { id: LeadId::new(), ..mine.clone() };
    assert!(matches!(store.save_lead_if(&missing, 1, &[], &[], t0()).await, Err(StoreError::NotFound)));
    let foreign = Lead { tenant_id: other.tenant, ..mine.clone() };
    assert!(matches!(store.save_lead_if(&foreign, 3, &[], &[], t0()).await, Err(StoreError::NotFound)));
    assert!(store.get_lead_versioned(other.tenant, lead.id).await.unwrap().is_none());
}

pub async fn conversation_saves_check_the_version(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let conversation = store
        .conversation_for(&Conversation::new(c.tenant, c.patient.id, Channel::Whatsapp, t0()))
        .await
        .unwrap();
    let read = store.get_conversation_versioned(c.tenant, conversation.id).await.unwrap().unwrap();
    assert_eq!((read.version, &read.value), (1, &conversation));

    let mut mine = read.value.clone();
    mine.assignee = Some("ana".into());
    assert_eq!(store.save_conversation_if(&mine, 1).await.unwrap(), 2);
    let mut theirs = read.value.clone();
    theirs.status = ConversationStatus::Snoozed;
    assert!(stale(store.save_conversation_if(&theirs, 1).await));
    let now = store.get_conversation_versioned(c.tenant, conversation.id).await.unwrap().unwrap();
    assert_eq!((now.version, now.value), (2, mine.clone()));

    store.save_conversation(&mine).await.unwrap();
    assert!(stale(store.save_conversation_if(&mine, 2).await));
    let missing = Conversation { id: ConversationId::new(), ..mine };
    assert!(matches!(store.save_conversation_if(&missing, 1).await, Err(StoreError::NotFound)));
}

pub async fn patient_updates_check_the_version(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let read = store.get_patient_versioned(c.tenant, c.patient.id).await.unwrap().unwrap();
    assert_eq!((read.version, &read.value), (1, &c.patient));

    let mut mine = read.value.clone();
    mine.external_id = Some("ns-1".into());
    assert_eq!(store.update_patient_if(&mine, 1).await.unwrap(), 2);
    let mut theirs = read.value.clone();
    theirs.external_id = Some("ns-2".into());
    assert!(stale(store.update_patient_if(&theirs, 1).await));
    assert_eq!(store.get_patient(c.tenant, c.patient.id).await.unwrap(), Some(mine.clone()));

    // Every write moves the version on, the external id link included.
    store.set_patient_external_id(c.tenant, c.patient.id, "ns-3").await.unwrap();
    assert_eq!(store.get_patient_versioned(c.tenant, c.patient.id).await.unwrap().unwrap().version, 3);
    assert!(stale(store.update_patient_if(&mine, 2).await));
    let missing = frontdesk_domain::patients::Patient { id: PatientId::new(), ..mine };
    assert!(matches!(store.update_patient_if(&missing, 1).await, Err(StoreError::NotFound)));
}

pub async fn settings_saves_check_the_version(store: DynStore) {
    let c = clinic(&store, "alpha").await;
    let other = clinic(&store, "beta").await;
    // `clinic` saves none: defaults at version 0.
    let read = store.tenant_settings_versioned(other.tenant).await.unwrap();
    assert_eq!((read.version, &read.value), (0, &TenantSettings::default()));

    let mut mine = read.value.clone();
    mine.default_region = "PT".into();
    assert_eq!(store.save_tenant_settings_if(other.tenant, &mine, 0).await.unwrap(), 1);
    // Someone else who also saw "none saved" is refused rather than overwriting.
    let mut theirs = read.value.clone();
    theirs.default_region = "US".into();
    assert!(stale(store.save_tenant_settings_if(other.tenant, &theirs, 0).await));
    assert!(stale(store.save_tenant_settings_if(other.tenant, &theirs, 2).await));
    assert_eq!(store.tenant_settings(other.tenant).await.unwrap(), mine);

    assert_eq!(store.save_tenant_settings_if(other.tenant, &theirs, 1).await.unwrap(), 2);
    store.save_tenant_settings(other.tenant, &mine).await.unwrap();
    let now = store.tenant_settings_versioned(other.tenant).await.unwrap();
    assert_eq!((now.version, now.value), (3, mine));
    // Versions are per tenant.
    assert_eq!(store.tenant_settings_versioned(c.tenant).await.unwrap().version, 0);
}
