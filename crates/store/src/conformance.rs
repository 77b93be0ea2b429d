//! The behaviour every backend must show. A backend runs the whole suite with
//! `frontdesk_store::conformance_suite!(async { Some(Arc::new(store) as DynStore) })`;
//! the factory returns `None` to skip (e.g. no PostgreSQL configured).

use crate::*;
use frontdesk_domain::api_key::ApiKeySecret;
use frontdesk_domain::api_key_scope::{ApiKeyScope, ScopeSet};
use frontdesk_domain::audit::AuditEntry;
use frontdesk_domain::jobs::{AfterFailure, JobStatus, NewJob};
use frontdesk_domain::page::PageRequest;
use frontdesk_domain::tenant::{NewTenant, Tenant};
use frontdesk_domain::{AuditId, JobId, PatientId};
use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use std::collections::HashSet;
use uuid::Uuid;

/// Expands to one `#[tokio::test]` per conformance case.
#[macro_export]
macro_rules! conformance_suite {
    ($make:expr) => {
        $crate::conformance_suite!(@cases $make;
            tenants_round_trip, duplicate_slug_conflicts, api_keys_lookup_and_revoke,
            enqueue_dedupe_key_is_noop_while_live, cancel_by_dedupe_key, delayed_jobs_not_claimed_early,
            expired_lease_is_reclaimed_once, failure_retries_then_dead, lease_expiry_on_last_attempt_is_dead,
            release_returns_jobs_uncounted, jobs_are_tenant_scoped, job_list_paginates,
            queue_stats_report_depth_and_age, inbound_event_dedupes_with_follow_ups, concurrent_deliveries_store_each_event_once,
            audit_is_tenant_scoped_newest_first, concurrent_claims_never_share_a_job, health_reports_schema,
            enqueue_wakes_job_waiters, users_are_unique_by_email_and_tenant_scoped,
            sessions_are_found_by_token_and_end_everywhere, facts_are_logged_once_in_order_per_tenant,
            second_factor_steps_and_invites_are_used_once, lead_imports_keep_file_progress_and_report);
        $crate::conformance_suite!(@scheduling $make;
            catalog_round_trip, settings_default_then_saved, patients_are_unique_per_phone_and_tenant,
            overlapping_bookings_are_refused, concurrent_bookings_for_one_slot_have_one_winner,
            idempotency_key_replays_the_first_booking, updates_are_versioned_and_keep_history,
            appointments_filter_page_and_busy_ranges, no_show_counts_by_patient_and_practitioner,
            notifications_are_recorded_per_tenant, external_ids_map_both_ways, calendar_version_moves_with_every_change);
        $crate::conformance_suite!(@messaging $make;
            one_conversation_per_patient_and_channel, messages_dedupe_on_provider_id_and_save,
            messages_are_listed_in_the_order_they_were_filed,
            voice_note_transcripts_are_kept_and_searched, conversations_filter_and_page, messages_between_page_across_conversations, conversations_that_turned_negative_are_listed_latest_first, consents_in_order,
            patients_search_and_update, a_message_is_filed_with_its_jobs_or_not_at_all,
            unread_is_counted_per_person_from_what_they_read);
        $crate::conformance_suite!(@voice $make;
            calls_round_trip_every_field, call_provider_ids_are_unique_per_tenant_and_provider,
            calls_are_tenant_scoped, calls_filter_and_page, transcript_is_replaced_in_order,
            concurrent_transcript_replacements_leave_one_copy,
            call_payloads_are_kept_oldest_first, call_tallies_group_by_outcome_within_the_period,
            call_jobs_are_enqueued_with_the_call);
        $crate::conformance_suite!(@leads $make;
            leads_round_trip_every_field, lead_writes_carry_events_and_jobs, leads_are_tenant_scoped,
            leads_filter_and_page, recent_and_latest_lead_for_patient, lead_events_oldest_first,
            dialogues_insert_update_with_versions, concurrent_dialogue_updates_have_one_winner,
            dialogues_are_tenant_scoped);
        $crate::conformance_suite!(@fairness $make;
            a_tenants_backlog_does_not_delay_another_tenants_due_job, claims_take_turns_between_busy_tenants);
        $crate::conformance_suite!(@handover $make;
            completing_and_claiming_is_one_step, a_batch_completed_with_the_claim_is_not_also_taken_over,
            a_claim_takes_over_expired_leases_and_buries_last_attempts);
        $crate::conformance_suite!(@versions $make;
            lead_saves_check_the_version, conversation_saves_check_the_version,
            patient_updates_check_the_version, settings_saves_check_the_version);
        $crate::conformance_suite!(@webhooks $make;
            webhook_subscriptions_round_trip_and_are_tenant_scoped,
            webhook_deliveries_are_filed_once_per_fact_and_subscription,
            webhook_delivery_attempts_are_saved_with_their_next_job);
        $crate::conformance_suite!(@secrets $make; secrets_are_sealed_and_read_back);
        $crate::conformance_suite!(@rate_counters $make;
            rate_counts_add_up_per_key_and_window, concurrent_rate_count_additions_sum_exactly);
        $crate::conformance_suite!(@waitlist $make;
            waitlist_entries_round_trip_and_are_tenant_scoped, a_slot_is_offered_to_an_entry_once_with_its_jobs,
            concurrent_offer_moves_have_one_winner);
        $crate::conformance_suite!(@noshow $make; noshow_models_latest_first_tenant_scoped_and_pruned);
        $crate::conformance_suite!(@analytics $make; rollups_add_up_by_day_and_the_cursor_moves_once);
        $crate::conformance_suite!(@campaigns $make;
            campaigns_round_trip_and_move_status_once, audiences_are_the_patients_each_kind_is_for,
            a_patient_is_enrolled_once_and_a_step_recorded_once);
    };
    (@campaigns $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_campaigns::$case(store).await;
        }
    )*};
    (@analytics $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_analytics::$case(store).await;
        }
    )*};
    (@waitlist $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_waitlist::$case(store).await;
        }
    )*};
    (@noshow $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_noshow::$case(store).await;
        }
    )*};
    (@rate_counters $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_rate_counters::$case(store).await;
        }
    )*};
    (@webhooks $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_webhooks::$case(store).await;
        }
    )*};
    (@handover $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_jobs_handover::$case(store).await;
        }
    )*};
    (@fairness $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_jobs_fairness::$case(store).await;
        }
    )*};
    (@secrets $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_secrets::$case(store).await;
        }
    )*};
    (@versions $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_versions::$case(store).await;
        }
    )*};
    (@leads $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_leads::$case(store).await;
        }
    )*};
    (@voice $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_voice::$case(store).await;
        }
    )*};
    (@messaging $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_messaging::$case(store).await;
        }
    )*};
    (@scheduling $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance_scheduling::$case(store).await;
        }
    )*};
    (@cases $make:expr; $($case:ident),* $(,)?) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $case() {
            let make = $make;
            let Some(store) = make().await else { return; };
            $crate::conformance::$case(store).await;
        }
    )*};
}

fn t0() -> Timestamp {
    "2026-05-04T12:00:00Z".parse().unwrap()
}

fn secs(n: i64) -> SignedDuration {
    SignedDuration::from_secs(n)
}

fn at(offset_secs: i64) -> Timestamp {
    t0() + secs(offset_secs)
}

async fn tenant(store: &DynStore, slug: &str) -> Tenant {
    let new = NewTenant::parse(slug, &format!("Clinic {slug}"), "America/Sao_Paulo", "pt-BR").unwrap();
    store.create_tenant(&new, t0()).await.unwrap()
}

fn claim(now: Timestamp, limit: u32) -> ClaimRequest {
    ClaimRequest { lease_token: Uuid::now_v7(), now, lease: secs(30), limit }
}

fn job(t: &Tenant, kind: &str, run_at: Timestamp) -> NewJob {
    NewJob::new(t.id, kind, json!({"n": 1}), run_at)
}

pub async fn tenants_round_trip(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    assert_eq!(store.tenant_by_slug("alpha").await.unwrap().as_ref(), Some(&t));
    assert_eq!(store.tenant_by_id(t.id).await.unwrap().as_ref(), Some(&t));
    assert_eq!(store.tenant_by_slug("nobody").await.unwrap(), None);
    assert_eq!(t.timezone.as_str(), "America/Sao_Paulo");
    assert_eq!(store.list_tenants().await.unwrap(), vec![t.clone()]);
    let mut changed = t.clone();
    changed.name = "Clínica Nova".into();
    changed.locale = frontdesk_domain::tenant::Locale::En;
    changed.timezone = frontdesk_domain::tenant::TimeZoneName::parse("Europe/Lisbon").unwrap();
    store.update_tenant(&changed).await.unwrap();
    assert_eq!(store.tenant_by_id(t.id).await.unwrap(), Some(changed.clone()));
    let mut ghost = changed;
    ghost.id = frontdesk_domain::TenantId::new();
    assert!(matches!(store.update_tenant(&ghost).await, Err(StoreError::NotFound)));
}

pub async fn duplicate_slug_conflicts(store: DynStore) {
    tenant(&store, "alpha").await;
    let again = NewTenant::parse("alpha", "Other", "UTC", "en").unwrap();
    assert!(matches!(
        store.create_tenant(&again, t0()).await,
        Err(StoreError::Conflict(Conflict::Duplicate { what: Record::Tenant }))
    ));
}

pub async fn api_keys_lookup_and_revoke(store: DynStore) {
    let a = tenant(&store, "alpha").await;
    let b = tenant(&store, "beta").await;
    let secret = ApiKeySecret::from_random([1, 2, 3, 4], [5; 32]);
    let new = NewApiKey {
        tenant_id: a.id,
        prefix: secret.prefix().into(),
        hash: secret.hash(),
        name: "ci".into(),
        scopes: ScopeSet::full(),
    };
    let rec = store.create_api_key(&new, t0()).await.unwrap();
    let found = store.api_key_by_prefix(secret.prefix()).await.unwrap().unwrap();
    assert_eq!(found, rec);
    assert!(found.hash.matches(&secret.hash()));
    assert_eq!(found.revoked_at, None);
    // Another tenant cannot revoke it.
    assert!(matches!(store.revoke_api_key(b.id, secret.prefix(), at(1)).await, Err(StoreError::NotFound)));
    store.revoke_api_key(a.id, secret.prefix(), at(2)).await.unwrap();
    let revoked = store.api_key_by_prefix(secret.prefix()).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(at(2)));
    assert_eq!(store.list_api_keys(a.id).await.unwrap().len(), 1);
    assert!(store.list_api_keys(b.id).await.unwrap().is_empty());
    // Prefixes are unique.
    assert!(matches!(
        store.create_api_key(&new, t0()).await,
        Err(StoreError::Conflict(Conflict::Duplicate { what: Record::ApiKey }))
    ));
    // Scopes are kept with the key.
    let scoped = ApiKeySecret::from_random([9, 9, 9, 9], [6; 32]);
    let scopes = ScopeSet::new([ApiKeyScope::ReadOnly, ApiKeyScope::Assistant]).unwrap();
    let new =
        NewApiKey { prefix: scoped.prefix().into(), hash: scoped.hash(), scopes: scopes.clone(), ..new };
    store.create_api_key(&new, t0()).await.unwrap();
    assert_eq!(store.api_key_by_prefix(scoped.prefix()).await.unwrap().unwrap().scopes, scopes);
}

pub async fn enqueue_dedupe_key_is_noop_while_live(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let first = store.enqueue(&job(&t, "remind", t0()).with_dedupe_key("appt-1"), t0()).await.unwrap();
    let second = store.enqueue(&job(&t, "remind", at(60)).with_dedupe_key("appt-1"), t0()).await.unwrap();
    assert!(matches!(first, Enqueued::Created(_)));
    assert_eq!(second, Enqueued::Duplicate(first.id()));
    // The same key in another tenant is independent.
    let other = tenant(&store, "beta").await;
    assert!(matches!(
        store.enqueue(&job(&other, "remind", t0()).with_dedupe_key("appt-1"), t0()).await.unwrap(),
        Enqueued::Created(_)
    ));
    // Once the job is done, the key is free again.
    let c = claim(t0(), 10);
    let claimed = store.claim_jobs(&c).await.unwrap();
    let mine: Vec<JobId> = claimed.iter().filter(|j| j.tenant_id == t.id).map(|j| j.id).collect();
    assert_eq!(mine, vec![first.id()]);
    store.complete_jobs(c.lease_token, &mine, at(1)).await.unwrap();
    let third = store.enqueue(&job(&t, "remind", at(60)).with_dedupe_key("appt-1"), at(2)).await.unwrap();
    assert!(matches!(third, Enqueued::Created(id) if id != first.id()));
    // enqueue_many applies the same rule inside its transaction.
    let many = store
        .enqueue_many(
            &[job(&t, "x", t0()).with_dedupe_key("k"), job(&t, "x", t0()).with_dedupe_key("k")],
            at(3),
        )
        .await
        .unwrap();
    assert!(matches!(many[0], Enqueued::Created(_)));
    assert_eq!(many[1], Enqueued::Duplicate(many[0].id()));
    // A batch larger than one insert statement: every job is created once, in order, and
    // a key held by a live job from before the batch still keeps its job out.
    let mut big: Vec<NewJob> = (0..1_203).map(|_| job(&t, "bulk", at(10_000))).collect();
    big[700] = job(&t, "bulk", at(10_000)).with_dedupe_key("k");
    let out = store.enqueue_many(&big, at(4)).await.unwrap();
    assert_eq!(out.len(), big.len());
    assert_eq!(out[700], Enqueued::Duplicate(many[0].id()));
    let created: Vec<JobId> =
        out.iter().filter(|e| matches!(e, Enqueued::Created(_))).map(|e| e.id()).collect();
    assert_eq!(created.len(), 1_202);
    assert_eq!(created[0], big[0].id);
    assert_eq!(created[1_201], big[1_202].id);
}

pub async fn cancel_by_dedupe_key(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let e = store.enqueue(&job(&t, "remind", at(3600)).with_dedupe_key("appt-9"), t0()).await.unwrap();
    store.enqueue(&job(&t, "remind", at(3600)).with_dedupe_key("appt-10"), t0()).await.unwrap();
    let other = tenant(&store, "beta").await;
    store.enqueue(&job(&other, "remind", at(3600)).with_dedupe_key("appt-9"), t0()).await.unwrap();
    assert_eq!(store.cancel_jobs_by_dedupe_key(t.id, "appt-9", at(1)).await.unwrap(), 1);
    assert_eq!(store.cancel_jobs_by_dedupe_key(t.id, "appt-9", at(2)).await.unwrap(), 0);
    let j = store.get_job(t.id, e.id()).await.unwrap().unwrap();
    assert_eq!(j.status, JobStatus::Cancelled);
    let claimed = store.claim_jobs(&claim(at(7200), 10)).await.unwrap();
    assert_eq!(claimed.len(), 2, "the other key and the other tenant's job remain");
    assert!(claimed.iter().all(|j| j.id != e.id()));
}

pub async fn delayed_jobs_not_claimed_early(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let e = store.enqueue(&job(&t, "later", at(600)), t0()).await.unwrap();
    assert!(store.claim_jobs(&claim(at(599), 10)).await.unwrap().is_empty());
    let got = store.claim_jobs(&claim(at(600), 10)).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, e.id());
    assert_eq!(got[0].status, JobStatus::Running);
    assert_eq!(got[0].attempts, 1);
    assert_eq!(got[0].payload, json!({"n": 1}));
}

pub async fn expired_lease_is_reclaimed_once(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let e = store.enqueue(&job(&t, "work", t0()), t0()).await.unwrap();
    let dying = claim(t0(), 10);
    assert_eq!(store.claim_jobs(&dying).await.unwrap().len(), 1);
    // Still leased: nobody else gets it.
    assert!(store.claim_jobs(&claim(at(29), 10)).await.unwrap().is_empty());
    let rescuer = claim(at(31), 10);
    let again = store.claim_jobs(&rescuer).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    // The dead worker's late completion is ignored; the rescuer's counts.
    assert_eq!(store.complete_jobs(dying.lease_token, &[e.id()], at(32)).await.unwrap(), 0);
    assert!(!store.fail_job(dying.lease_token, e.id(), "late", AfterFailure::Dead, at(32)).await.unwrap());
    assert_eq!(store.complete_jobs(rescuer.lease_token, &[e.id()], at(33)).await.unwrap(), 1);
    let done = store.get_job(t.id, e.id()).await.unwrap().unwrap();
    assert_eq!(done.status, JobStatus::Succeeded);
    assert!(store.claim_jobs(&claim(at(3600), 10)).await.unwrap().is_empty());
}

pub async fn failure_retries_then_dead(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let e = store.enqueue(&job(&t, "flaky", t0()).with_max_attempts(2), t0()).await.unwrap();
    let c1 = claim(t0(), 1);
    store.claim_jobs(&c1).await.unwrap();
    assert!(
        store.fail_job(c1.lease_token, e.id(), "boom 1", AfterFailure::RetryAt(at(10)), at(1)).await.unwrap()
    );
    let j = store.get_job(t.id, e.id()).await.unwrap().unwrap();
    assert_eq!((j.status, j.run_at, j.last_error.as_deref()), (JobStatus::Queued, at(10), Some("boom 1")));
    assert!(store.claim_jobs(&claim(at(9), 1)).await.unwrap().is_empty());
    let c2 = claim(at(10), 1);
    assert_eq!(store.claim_jobs(&c2).await.unwrap().len(), 1);
    assert!(store.fail_job(c2.lease_token, e.id(), "boom 2", AfterFailure::Dead, at(11)).await.unwrap());
    let dead = store.get_job(t.id, e.id()).await.unwrap().unwrap();
    assert_eq!(
        (dead.status, dead.attempts, dead.last_error.as_deref()),
        (JobStatus::Dead, 2, Some("boom 2"))
    );
    let dead_list = store
        .list_jobs(t.id, &JobFilter { status: Some(JobStatus::Dead), kind: None }, PageRequest::default())
        .await
        .unwrap();
    assert_eq!(dead_list.items.len(), 1);
    // Retrying: not for another tenant, not twice.
    let other = tenant(&store, "beta").await;
    assert!(matches!(store.retry_dead_job(other.id, e.id(), at(20)).await, Err(StoreError::NotFound)));
    let requeued = store.retry_dead_job(t.id, e.id(), at(20)).await.unwrap();
    assert_eq!((requeued.status, requeued.attempts, requeued.run_at), (JobStatus::Queued, 0, at(20)));
    assert!(matches!(
        store.retry_dead_job(t.id, e.id(), at(21)).await,
        Err(StoreError::Conflict(Conflict::JobNotDead { status: JobStatus::Queued }))
    ));
    assert_eq!(store.claim_jobs(&claim(at(20), 1)).await.unwrap().len(), 1);
}

pub async fn lease_expiry_on_last_attempt_is_dead(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let e = store.enqueue(&job(&t, "once", t0()).with_max_attempts(1), t0()).await.unwrap();
    store.claim_jobs(&claim(t0(), 1)).await.unwrap();
    assert!(store.claim_jobs(&claim(at(60), 1)).await.unwrap().is_empty());
    let j = store.get_job(t.id, e.id()).await.unwrap().unwrap();
    assert_eq!(j.status, JobStatus::Dead);
    assert!(j.last_error.unwrap().contains("lease"));
}

pub async fn release_returns_jobs_uncounted(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let e = store.enqueue(&job(&t, "w", t0()), t0()).await.unwrap();
    let c = claim(t0(), 1);
    store.claim_jobs(&c).await.unwrap();
    assert_eq!(store.release_jobs(c.lease_token, &[e.id()], at(1)).await.unwrap(), 1);
    let j = store.get_job(t.id, e.id()).await.unwrap().unwrap();
    assert_eq!((j.status, j.attempts), (JobStatus::Queued, 0));
    assert_eq!(store.claim_jobs(&claim(at(1), 1)).await.unwrap().len(), 1);
}

pub async fn jobs_are_tenant_scoped(store: DynStore) {
    let a = tenant(&store, "alpha").await;
    let b = tenant(&store, "beta").await;
    let ja = store.enqueue(&job(&a, "w", t0()), t0()).await.unwrap();
    store.enqueue(&job(&b, "w", t0()), t0()).await.unwrap();
    assert!(store.get_job(b.id, ja.id()).await.unwrap().is_none());
    assert!(store.get_job(a.id, ja.id()).await.unwrap().is_some());
    let listed = store.list_jobs(a.id, &JobFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(listed.items.iter().map(|j| j.id).collect::<Vec<_>>(), vec![ja.id()]);
}

pub async fn job_list_paginates(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let mut ids = Vec::new();
    for _ in 0..5 {
        ids.push(store.enqueue(&job(&t, "w", t0()), t0()).await.unwrap().id());
    }
    let first = store.list_jobs(t.id, &JobFilter::default(), PageRequest::new(None, Some(2))).await.unwrap();
    assert_eq!(first.items.iter().map(|j| j.id).collect::<Vec<_>>(), vec![ids[4], ids[3]]);
    let cursor = first.next_cursor.expect("more pages");
    let second =
        store.list_jobs(t.id, &JobFilter::default(), PageRequest::new(Some(cursor), Some(10))).await.unwrap();
    assert_eq!(second.items.iter().map(|j| j.id).collect::<Vec<_>>(), vec![ids[2], ids[1], ids[0]]);
    assert_eq!(second.next_cursor, None);
    let by_kind = store
        .list_jobs(t.id, &JobFilter { status: None, kind: Some("other".into()) }, PageRequest::default())
        .await
        .unwrap();
    assert!(by_kind.items.is_empty());
}

pub async fn queue_stats_report_depth_and_age(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    assert_eq!(store.queue_stats(t0()).await.unwrap(), QueueStats::default());
    store.enqueue(&job(&t, "w", at(-120)), t0()).await.unwrap();
    store.enqueue(&job(&t, "w", at(-60)), t0()).await.unwrap();
    store.enqueue(&job(&t, "w", at(600)), t0()).await.unwrap();
    let stats = store.queue_stats(t0()).await.unwrap();
    assert_eq!(stats, QueueStats { depth: 3, due: 2, oldest_due_at: Some(at(-120)) });
}

pub async fn inbound_event_dedupes_with_follow_ups(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let event = NewInboundEvent {
        tenant_id: t.id,
        provider: "twilio".into(),
        external_id: "SM123".into(),
        kind: "message".into(),
        payload: json!({"Body": "oi"}),
    };
    let follow = || vec![job(&t, "handle_message", t0())];
    let first = store.record_event(&event, &follow(), t0()).await.unwrap();
    let second = store.record_event(&event, &follow(), at(5)).await.unwrap();
    assert!(!first.duplicate);
    assert!(second.duplicate);
    assert_eq!(first.id, second.id);
    let listed = store.list_jobs(t.id, &JobFilter::default(), PageRequest::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1, "a retried webhook must not enqueue twice");
    let stored = store.inbound_event(t.id, "twilio", "SM123").await.unwrap().unwrap();
    assert_eq!(stored.payload, json!({"Body": "oi"}));
    assert_eq!(stored.received_at, t0());
    let other = tenant(&store, "beta").await;
    assert!(store.inbound_event(other.id, "twilio", "SM123").await.unwrap().is_none());
    // Listed newest first per provider and tenant.
    let later = NewInboundEvent { external_id: "SM124".into(), ..event.clone() };
    store.record_event(&later, &[], at(9)).await.unwrap();
    let recent = store.recent_inbound_events(t.id, "twilio", 10).await.unwrap();
    assert_eq!(recent.iter().map(|e| e.external_id.as_str()).collect::<Vec<_>>(), ["SM124", "SM123"]);
    assert_eq!(store.recent_inbound_events(t.id, "twilio", 1).await.unwrap().len(), 1);
    assert!(store.recent_inbound_events(t.id, "helena", 10).await.unwrap().is_empty());
    assert!(store.recent_inbound_events(other.id, "twilio", 10).await.unwrap().is_empty());
    // Sync cursors: none, set, moved, per tenant.
    assert_eq!(store.sync_cursor(t.id, "gmail.history_id").await.unwrap(), None);
    store.set_sync_cursor(t.id, "gmail.history_id", "100", t0()).await.unwrap();
    store.set_sync_cursor(t.id, "gmail.history_id", "250", at(1)).await.unwrap();
    assert_eq!(store.sync_cursor(t.id, "gmail.history_id").await.unwrap().as_deref(), Some("250"));
    assert_eq!(store.sync_cursor(other.id, "gmail.history_id").await.unwrap(), None);
}

/// Webhook retries race their originals; whatever the backend does to write concurrent
/// deliveries together, each message is stored once, with one job, and every delivery of
/// it learns the same id.
pub async fn concurrent_deliveries_store_each_event_once(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..3 {
        for n in 0..20 {
            let store = store.clone();
            let t = t.clone();
            tasks.spawn(async move {
                let event = NewInboundEvent {
                    tenant_id: t.id,
                    provider: "twilio".into(),
                    external_id: format!("SM{n:03}"),
                    kind: "message".into(),
                    payload: json!({"n": n, "round": round}),
                };
                let follow = vec![job(&t, "handle_message", t0()).with_dedupe_key(format!("in:{n}"))];
                (n, store.record_event(&event, &follow, t0()).await.unwrap())
            });
        }
    }
    let mut by_message: std::collections::HashMap<i32, Vec<RecordedEvent>> = Default::default();
    while let Some(done) = tasks.join_next().await {
        let (n, recorded) = done.unwrap();
        by_message.entry(n).or_default().push(recorded);
    }
    assert_eq!(by_message.len(), 20);
    for (n, deliveries) in &by_message {
        assert_eq!(deliveries.iter().filter(|d| !d.duplicate).count(), 1, "message {n}: {deliveries:?}");
        assert!(deliveries.iter().all(|d| d.id == deliveries[0].id), "message {n}: {deliveries:?}");
        let stored = store.inbound_event(t.id, "twilio", &format!("SM{n:03}")).await.unwrap().unwrap();
        assert_eq!(stored.id, deliveries[0].id);
    }
    let jobs = store.list_jobs(t.id, &JobFilter::default(), PageRequest::new(None, Some(500))).await.unwrap();
    assert_eq!(jobs.items.len(), 20, "one processing job per message");
}

pub async fn audit_is_tenant_scoped_newest_first(store: DynStore) {
    let a = tenant(&store, "alpha").await;
    let b = tenant(&store, "beta").await;
    let entry = |t: &Tenant, n: i64| AuditEntry {
        id: AuditId::new(),
        tenant_id: t.id,
        actor: "api_key:abcd0102".into(),
        action: "read".into(),
        resource_type: "patient".into(),
        resource_id: Some(format!("r{n}")),
        patient_id: Some(PatientId::new()),
        request_id: Some("req-1".into()),
        at: at(n),
    };
    let e1 = entry(&a, 1);
    let e2 = entry(&a, 2);
    store.record_audit(&e1).await.unwrap();
    store.record_audit(&e2).await.unwrap();
    store.record_audit(&entry(&b, 3)).await.unwrap();
    let page = store.list_audit(a.id, PageRequest::default()).await.unwrap();
    assert_eq!(page.items, vec![e2, e1]);
}

pub async fn concurrent_claims_never_share_a_job(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let jobs: Vec<NewJob> = (0..400).map(|_| job(&t, "w", t0())).collect();
    store.enqueue_many(&jobs, t0()).await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let c = claim(at(1), 16);
                let got = store.claim_jobs(&c).await.unwrap();
                if got.is_empty() {
                    return mine;
                }
                let ids: Vec<JobId> = got.iter().map(|j| j.id).collect();
                assert_eq!(store.complete_jobs(c.lease_token, &ids, at(2)).await.unwrap(), ids.len() as u64);
                mine.extend(ids);
            }
        }));
    }
    let mut seen = HashSet::new();
    for task in futures::future::join_all(tasks).await {
        for id in task.unwrap() {
            assert!(seen.insert(id), "job {id} claimed twice");
        }
    }
    assert_eq!(seen.len(), 400);
}

pub async fn health_reports_schema(store: DynStore) {
    store.ping().await.unwrap();
    assert!(store.schema_version().await.unwrap().unwrap_or(0) >= 1);
    assert!(!store.backend_name().is_empty());
}

pub async fn enqueue_wakes_job_waiters(store: DynStore) {
    let t = tenant(&store, "alpha").await;
    let wakeups = store.job_wakeups();
    // On PostgreSQL the wake-up travels NOTIFY -> LISTEN, whose connection is set up in the
    // background: try a few times before concluding it is broken.
    for _ in 0..50 {
        let notified = wakeups.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        store.enqueue(&job(&t, "w", t0()), t0()).await.unwrap();
        if tokio::time::timeout(std::time::Duration::from_millis(200), notified).await.is_ok() {
            return;
        }
    }
    panic!("an enqueue never woke a waiting worker");
}

fn user(t: &Tenant, email: &str, role: frontdesk_domain::staff::Role) -> frontdesk_domain::staff::User {
    frontdesk_domain::staff::NewUser {
        tenant_id: t.id,
        email: frontdesk_domain::contact::Email::parse(email).unwrap(),
        name: "Ana Lima".into(),
        role,
    }
    .into_user(t0())
    .unwrap()
}

pub async fn users_are_unique_by_email_and_tenant_scoped(store: DynStore) {
    use frontdesk_domain::staff::Role;
    let a = tenant(&store, "alpha").await;
    let b = tenant(&store, "beta").await;
    let mut ana = user(&a, "Ana.Lima@Clinica.com", Role::Admin);
    ana.password_hash = Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into());
    store.create_user(&ana).await.unwrap();
    let found = store.user_by_email("ana.lima@clinica.COM").await.unwrap().unwrap();
    assert_eq!(found, ana);
    // The e-mail signs into one clinic only, whatever its case.
    let twin = user(&b, "ana.lima@clinica.com", Role::Staff);
    assert!(matches!(
        store.create_user(&twin).await,
        Err(StoreError::Conflict(crate::Conflict::Duplicate { what: crate::Record::User }))
    ));
    assert!(store.get_user(b.id, ana.id).await.unwrap().is_none());
    assert!(store.list_users(b.id).await.unwrap().is_empty());
    ana.role = Role::Viewer;
    ana.disabled_at = Some(at(60));
    ana.locale = Some(frontdesk_domain::tenant::Locale::En);
    store.save_user(&ana).await.unwrap();
    assert_eq!(store.list_users(a.id).await.unwrap(), vec![ana.clone()]);
    let mut stray = ana.clone();
    stray.tenant_id = b.id;
    assert!(matches!(store.save_user(&stray).await, Err(StoreError::NotFound)));
}

pub async fn sessions_are_found_by_token_and_end_everywhere(store: DynStore) {
    use frontdesk_domain::staff::{Role, SessionRecord};
    let a = tenant(&store, "alpha").await;
    let ana = user(&a, "ana@clinica.com", Role::Staff);
    store.create_user(&ana).await.unwrap();
    let session = |token: &str| SessionRecord {
        id: frontdesk_domain::SessionId::new(),
        tenant_id: a.id,
        user_id: ana.id,
        token_hash: token.into(),
        csrf_token: format!("csrf-{token}"),
        created_at: t0(),
        last_seen_at: t0(),
        awaiting_code: false,
    };
    let (laptop, phone) = (session("h1"), session("h2"));
    store.create_session(&laptop).await.unwrap();
    store.create_session(&phone).await.unwrap();
    assert_eq!(store.session_by_token("h1").await.unwrap(), Some(laptop.clone()));
    store.touch_session(laptop.id, at(600)).await.unwrap();
    assert_eq!(store.session_by_token("h1").await.unwrap().unwrap().last_seen_at, at(600));
    store.delete_session(laptop.id).await.unwrap();
    assert!(store.session_by_token("h1").await.unwrap().is_none());
    assert!(store.session_by_token("h2").await.unwrap().is_some());
    assert_eq!(store.delete_user_sessions(a.id, ana.id).await.unwrap(), 1);
    assert!(store.session_by_token("h2").await.unwrap().is_none());
}

pub async fn second_factor_steps_and_invites_are_used_once(store: DynStore) {
    use frontdesk_domain::staff::{Invite, Role, SecondFactor, SessionRecord};
    let a = tenant(&store, "alpha").await;
    let b = tenant(&store, "beta").await;
    let mut ana = user(&a, "ana@clinica.com", Role::Owner);
    store.create_user(&ana).await.unwrap();
    ana.totp = SecondFactor { secret: Some("GEZDGNBV".into()), enabled_at: Some(at(5)), last_step: None };
    store.save_user(&ana).await.unwrap();
    assert_eq!(store.get_user(a.id, ana.id).await.unwrap().unwrap().totp, ana.totp);
    // A step is accepted once; an earlier one never again; another clinic's id changes nothing.
    assert!(store.use_totp_step(a.id, ana.id, 100).await.unwrap());
    assert!(!store.use_totp_step(a.id, ana.id, 100).await.unwrap());
    assert!(!store.use_totp_step(a.id, ana.id, 99).await.unwrap());
    assert!(!store.use_totp_step(b.id, ana.id, 200).await.unwrap());
    assert!(store.use_totp_step(a.id, ana.id, 101).await.unwrap());
    assert_eq!(store.get_user(a.id, ana.id).await.unwrap().unwrap().totp.last_step, Some(101));

    let half = SessionRecord {
        id: frontdesk_domain::SessionId::new(),
        tenant_id: a.id,
        user_id: ana.id,
        token_hash: "half".into(),
        csrf_token: "c".into(),
        created_at: t0(),
        last_seen_at: t0(),
        awaiting_code: true,
    };
    store.create_session(&half).await.unwrap();
    assert!(store.session_by_token("half").await.unwrap().unwrap().awaiting_code);
    store.confirm_session(half.id).await.unwrap();
    assert!(!store.session_by_token("half").await.unwrap().unwrap().awaiting_code);

    let invite = Invite::new(a.id, ana.id, "inv".into(), t0());
    store.create_invite(&invite).await.unwrap();
    assert_eq!(store.invite_by_token("inv").await.unwrap(), Some(invite.clone()));
    assert!(store.use_invite("inv", at(10)).await.unwrap());
    assert!(!store.use_invite("inv", at(11)).await.unwrap(), "single use");
    assert_eq!(store.invite_by_token("inv").await.unwrap().unwrap().used_at, Some(at(10)));
    assert!(store.invite_by_token("other").await.unwrap().is_none());
}

pub async fn lead_imports_keep_file_progress_and_report(store: DynStore) {
    use frontdesk_domain::leads::{ImportStatus, LeadImport};
    let a = tenant(&store, "alpha").await;
    let b = tenant(&store, "beta").await;
    let mut run = LeadImport::new(a.id, "user:1".into(), 3, t0());
    store.create_lead_import(&run, "phone\n1\n2\n3\n").await.unwrap();
    assert_eq!(store.get_lead_import(a.id, run.id).await.unwrap(), Some(run.clone()));
    assert_eq!(store.lead_import_file(a.id, run.id).await.unwrap().as_deref(), Some("phone\n1\n2\n3\n"));
    assert!(store.get_lead_import(b.id, run.id).await.unwrap().is_none(), "tenant scoped");
    assert!(store.lead_import_file(b.id, run.id).await.unwrap().is_none());
    run.status = ImportStatus::Done;
    run.done = 3;
    run.summary = Some(json!({"rows": 3, "imported": 2, "merged": 1, "skipped": [], "ignored_columns": []}));
    run.updated_at = at(5);
    store.save_lead_import(&run).await.unwrap();
    assert_eq!(store.get_lead_import(a.id, run.id).await.unwrap(), Some(run.clone()));
    let mut stray = run.clone();
    stray.tenant_id = b.id;
    assert!(matches!(store.save_lead_import(&stray).await, Err(StoreError::NotFound)));
}

pub async fn facts_are_logged_once_in_order_per_tenant(store: DynStore) {
    use frontdesk_domain::facts::{Fact, FactKind};
    let a = tenant(&store, "alpha").await;
    let b = tenant(&store, "beta").await;
    let booked = Fact::new(
        a.id,
        FactKind::AppointmentBooked,
        "appointment:1:v1",
        json!({"appointment_id": "1"}),
        at(1),
    );
    let received = Fact::new(a.id, FactKind::MessageReceived, "message:9", json!({"message_id": "9"}), at(2));
    let other = Fact::new(b.id, FactKind::LeadCreated, "lead:7", json!({}), at(3));
    assert!(store.record_fact(&booked).await.unwrap());
    assert!(!store.record_fact(&booked).await.unwrap(), "a retried log changes nothing");
    assert!(store.record_fact(&received).await.unwrap());
    assert!(store.record_fact(&other).await.unwrap());
    let logged = store.facts_after(a.id, 0, 10).await.unwrap();
    assert_eq!(
        logged.iter().map(|(_, f)| f.clone()).collect::<Vec<_>>(),
        vec![booked.clone(), received.clone()]
    );
    assert!(logged[0].0 < logged[1].0);
    let rest = store.facts_after(a.id, logged[0].0, 10).await.unwrap();
    assert_eq!(rest.len(), 1);
    assert_eq!(rest[0].1, received);
    assert_eq!(store.facts_after(b.id, 0, 10).await.unwrap().len(), 1);
    assert_eq!(store.last_fact_position(a.id).await.unwrap(), logged[1].0);
    let none = tenant(&store, "gamma").await;
    assert_eq!(store.last_fact_position(none.id).await.unwrap(), 0);

    // Many at once: in the order given, after what was there, the known ones skipped.
    let many: Vec<Fact> = (0..2_500)
        .map(|n| Fact::new(none.id, FactKind::LeadCreated, format!("lead:{n}"), json!({"n": n}), at(4)))
        .collect();
    assert_eq!(store.record_facts(&many[..10]).await.unwrap(), 10);
    assert_eq!(store.record_facts(&many).await.unwrap(), 2_490, "the first ten were logged before");
    assert_eq!(store.record_facts(&[]).await.unwrap(), 0);
    let logged = store.facts_after(none.id, 0, 3_000).await.unwrap();
    let order: Vec<&str> = logged.iter().map(|(_, f)| f.id.as_str()).collect();
    let expected: Vec<&str> = many.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(order, expected);
    assert!(logged.windows(2).all(|w| w[0].0 < w[1].0));
}
