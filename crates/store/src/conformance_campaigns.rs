//! Campaigns: they round-trip and move status once; each kind's audience is the patients it
//! should be (recall: last visit old enough, nothing booked ahead; recovery: cancelled or
//! missed without rebooking), paged by id; a patient is enrolled once however often the
//! page is enrolled; a step is recorded once.

use crate::conformance_scheduling::{Clinic, appointment, booking, clinic};
use crate::*;
use frontdesk_domain::campaigns::*;
use frontdesk_domain::contact::{PersonName, PhoneE164};
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::messaging::{Channel, TemplateKey};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::patients::Patient;
use frontdesk_domain::scheduling::AppointmentStatus;
use frontdesk_domain::tenant::Locale;
use frontdesk_domain::*;
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

fn t0() -> Timestamp {
    "2026-05-04T12:00:00.123456Z".parse().unwrap()
}

/// "Now" for the audiences: 300 days after the clinic's first day.
fn now() -> Timestamp {
    t0() + SignedDuration::from_hours(24 * 300)
}

fn campaign(c: &Clinic, kind: CampaignKind, segment: Segment) -> Campaign {
    Campaign {
        id: Uuid::now_v7(),
        tenant_id: c.tenant,
        name: "Retorno".into(),
        kind,
        segment,
        steps: vec![Step::message(Channel::Whatsapp, TemplateKey::BookingLink, 0)],
        window: SendingWindow::default(),
        status: CampaignStatus::Draft,
        created_at: t0(),
        updated_at: t0(),
    }
}

async fn patient(store: &DynStore, c: &Clinic, phone: &str) -> Patient {
    let phone = PhoneE164::parse(phone, "BR").unwrap();
    let p = Patient::new(c.tenant, PersonName::parse("Paciente Teste").unwrap(), phone, Locale::PtBr, t0());
    store.create_patient(&p).await.unwrap();
    p
}

/// An appointment of `p` starting `day` days after t0, at `status`.
async fn visit(store: &DynStore, c: &Clinic, p: &Patient, day: i64, status: AppointmentStatus) {
    let mut a = appointment(c, (day % 2) as usize, day * 24 * 60, 30, 0);
    a.patient_id = p.id;
    a.status = status;
    a.created_at = a.start - SignedDuration::from_hours(24);
    a.updated_at = a.start;
    store.book_appointment(&booking(&a)).await.unwrap();
}

fn enrollment(c: &Clinic, campaign: Uuid, patient: PatientId) -> Enrollment {
    Enrollment {
        id: Uuid::now_v7(),
        tenant_id: c.tenant,
        campaign_id: campaign,
        patient_id: patient,
        state: EnrollmentState::Active,
        steps_sent: 0,
        last_sent_at: None,
        created_at: t0(),
        updated_at: t0(),
    }
}

async fn audience(store: &DynStore, c: &Campaign, after: Option<PatientId>, limit: u32) -> Vec<PatientId> {
    let q = AudienceQuery { kind: c.kind, segment: &c.segment, now: now(), after, limit };
    store.campaign_audience(c.tenant_id, &q).await.unwrap()
}

pub async fn campaigns_round_trip_and_move_status_once(store: DynStore) {
    let c = clinic(&store, "camp-a").await;
    let other = clinic(&store, "camp-b").await;
    let k = campaign(
        &c,
        CampaignKind::Recall,
        Segment { last_visit_before_days: Some(180), ..Default::default() },
    );
    store.insert_campaign(&k).await.unwrap();
    assert_eq!(store.get_campaign(c.tenant, k.id).await.unwrap(), Some(k.clone()));
    assert_eq!(store.get_campaign(other.tenant, k.id).await.unwrap(), None, "tenant-scoped");
    assert_eq!(store.list_campaigns(c.tenant, PageRequest::default()).await.unwrap().items, vec![k.clone()]);
    assert!(store.list_campaigns(other.tenant, PageRequest::default()).await.unwrap().items.is_empty());
    let job = NewJob::new(c.tenant, "campaign.enroll", serde_json::json!({"campaign_id": k.id}), t0());
    let (draft, running) = (CampaignStatus::Draft, CampaignStatus::Running);
    assert!(
        store.move_campaign(c.tenant, k.id, draft, running, std::slice::from_ref(&job), t0()).await.unwrap()
    );
    assert!(!store.move_campaign(c.tenant, k.id, draft, running, &[job], t0()).await.unwrap(), "once");
    assert_eq!(store.get_campaign(c.tenant, k.id).await.unwrap().unwrap().status, running);
    assert!(
        !store.move_campaign(other.tenant, k.id, running, CampaignStatus::Paused, &[], t0()).await.unwrap()
    );
}

pub async fn audiences_are_the_patients_each_kind_is_for(store: DynStore) {
    let c = clinic(&store, "camp-audience").await;
    let old = patient(&store, &c, "+5511987000101").await; // last visit 200 days before now
    let recent = patient(&store, &c, "+5511987000102").await; // last visit 30 days before now
    let coming = patient(&store, &c, "+5511987000103").await; // old visit, but booked ahead
    let missed = patient(&store, &c, "+5511987000104").await; // missed, nothing since
    let rebooked = patient(&store, &c, "+5511987000105").await; // cancelled, then came
    use AppointmentStatus as S;
    visit(&store, &c, &old, 100, S::Completed).await;
    visit(&store, &c, &recent, 102, S::Completed).await;
    visit(&store, &c, &recent, 270, S::CheckedIn).await;
    visit(&store, &c, &coming, 104, S::Completed).await;
    visit(&store, &c, &coming, 310, S::Booked).await;
    visit(&store, &c, &missed, 290, S::NoShow).await;
    visit(&store, &c, &rebooked, 280, S::Cancelled).await;
    visit(&store, &c, &rebooked, 286, S::Completed).await;

    let recall = campaign(
        &c,
        CampaignKind::Recall,
        Segment { last_visit_before_days: Some(180), ..Default::default() },
    );
    assert_eq!(audience(&store, &recall, None, 100).await, vec![old.id]);
    // A 20-day cut-off also takes the patient last seen 30 days ago, not the one seen 14
    // days ago after cancelling.
    let mut recent_too = recall.clone();
    recent_too.segment.last_visit_before_days = Some(20);
    let mut expected = vec![old.id, recent.id];
    expected.sort_by_key(|p| p.0);
    assert_eq!(audience(&store, &recent_too, None, 100).await, expected);
    // The service filter applies to the visit: another service has no such visits.
    let mut other_service = recall.clone();
    other_service.segment.service_id = Some(ServiceId::new());
    assert!(audience(&store, &other_service, None, 100).await.is_empty());
    // Recovery: missed without rebooking, not the one who came after cancelling.
    let recovery = campaign(&c, CampaignKind::Recovery, Segment::default());
    assert_eq!(audience(&store, &recovery, None, 100).await, vec![missed.id]);
    // Custom, with "missed an appointment once".
    let missed_once = campaign(&c, CampaignKind::Custom, Segment { had_no_show: true, ..Default::default() });
    assert_eq!(audience(&store, &missed_once, None, 100).await, vec![missed.id]);
    // Custom: everyone with nothing booked ahead (the clinic's own first patient too), paged by id.
    let everyone = campaign(&c, CampaignKind::Custom, Segment::default());
    let all = audience(&store, &everyone, None, 100).await;
    assert_eq!(all.len(), 5, "{all:?}");
    assert!(!all.contains(&coming.id));
    let first = audience(&store, &everyone, None, 2).await;
    let rest = audience(&store, &everyone, Some(first[1]), 100).await;
    assert_eq!([first, rest].concat(), all);
    // Another clinic's audience is its own.
    let other = clinic(&store, "camp-audience-b").await;
    let theirs = campaign(&other, CampaignKind::Custom, Segment::default());
    assert_eq!(audience(&store, &theirs, None, 100).await, vec![other.patient.id]);
}

pub async fn a_patient_is_enrolled_once_and_a_step_recorded_once(store: DynStore) {
    let c = clinic(&store, "camp-enroll").await;
    let k = campaign(&c, CampaignKind::Custom, Segment::default());
    store.insert_campaign(&k).await.unwrap();
    let second = patient(&store, &c, "+5511987000201").await;
    // Keyed by when they were planned, as the playbook's are: a page enrolled again plans
    // again, so only the skipping keeps a patient from a second first step.
    let job = |p: PatientId, planned: &str| {
        NewJob::new(c.tenant, "campaign.step", serde_json::json!({"patient": p}), t0())
            .with_dedupe_key(format!("campaign:{}:patient:{p}:step:0:{planned}", k.id))
    };
    let page = [
        (enrollment(&c, k.id, c.patient.id), job(c.patient.id, "1")),
        (enrollment(&c, k.id, second.id), job(second.id, "1")),
    ];
    let next_page = NewJob::new(c.tenant, "campaign.enroll", serde_json::json!({"after": second.id}), t0());
    assert_eq!(store.enroll(&page, std::slice::from_ref(&next_page), t0()).await.unwrap(), 2);
    let queued = |kind: &'static str| {
        let store = store.clone();
        async move {
            let filter = JobFilter { kind: Some(kind.into()), ..Default::default() };
            store.list_jobs(c.tenant, &filter, PageRequest::default()).await.unwrap().items.len()
        }
    };
    assert_eq!((queued("campaign.step").await, queued("campaign.enroll").await), (2, 1));
    // The same page again (after a restart): fresh ids, nobody new, and no first step filed
    // twice (the page's own next-page job still is: it is keyed by the caller).
    let again = [
        (enrollment(&c, k.id, c.patient.id), job(c.patient.id, "2")),
        (enrollment(&c, k.id, second.id), job(second.id, "2")),
    ];
    assert_eq!(store.enroll(&again, &[], t0()).await.unwrap(), 0);
    assert_eq!(queued("campaign.step").await, 2);
    let listed = store.list_enrollments(c.tenant, k.id, None, PageRequest::default()).await.unwrap().items;
    assert_eq!(listed.len(), 2);
    let e = store.get_enrollment(c.tenant, page[0].0.id).await.unwrap().unwrap();
    assert_eq!(e, page[0].0);

    let active = store.active_enrollments_of(c.tenant, second.id).await.unwrap();
    assert_eq!(active.iter().map(|e| e.id).collect::<Vec<_>>(), vec![page[1].0.id]);
    let later = t0() + SignedDuration::from_hours(1);
    assert!(store.advance_enrollment(c.tenant, e.id, 0, &[], later).await.unwrap());
    assert!(
        !store.advance_enrollment(c.tenant, e.id, 0, &[], later).await.unwrap(),
        "the step is recorded once"
    );
    let e = store.get_enrollment(c.tenant, e.id).await.unwrap().unwrap();
    assert_eq!((e.steps_sent, e.last_sent_at), (1, Some(later)));
    assert!(store.end_enrollment(c.tenant, e.id, EnrollmentState::Booked, later).await.unwrap());
    assert!(!store.end_enrollment(c.tenant, e.id, EnrollmentState::Declined, later).await.unwrap(), "once");
    assert!(!store.advance_enrollment(c.tenant, e.id, 1, &[], later).await.unwrap(), "ended: no more steps");
    let counts = store.enrollment_counts(c.tenant, k.id).await.unwrap();
    assert_eq!((counts.get(EnrollmentState::Booked), counts.get(EnrollmentState::Active)), (1, 1));
    assert_eq!((counts.total(), counts.steps_sent), (2, 1));
    let booked = store
        .list_enrollments(c.tenant, k.id, Some(EnrollmentState::Booked), PageRequest::default())
        .await
        .unwrap();
    assert_eq!(booked.items.len(), 1);
    // Another clinic sees none of it.
    let other = clinic(&store, "camp-enroll-b").await;
    assert_eq!(store.get_enrollment(other.tenant, e.id).await.unwrap(), None);
    assert_eq!(store.enrollment_counts(other.tenant, k.id).await.unwrap().total(), 0);
}
