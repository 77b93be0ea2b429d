//! Patients' data rights: retention settings and runs, erasure, and audit search.

use crate::StoreResult;
use async_trait::async_trait;
use frontdesk_domain::audit::AuditEntry;
use frontdesk_domain::data_rights::{
    AuditFilter, Erasure, RetentionCounts, RetentionCutoffs, RetentionPolicy, RetentionReport,
};
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::{PatientId, TenantId};
use jiff::Timestamp;

#[async_trait]
pub trait DataRightsStore: Send + Sync {
    /// The tenant's retention policy; the default (keep everything) when never set.
    async fn retention_policy(&self, tenant: TenantId) -> StoreResult<RetentionPolicy>;
    async fn save_retention_policy(
        &self,
        tenant: TenantId,
        policy: &RetentionPolicy,
        now: Timestamp,
    ) -> StoreResult<()>;
    /// Purges the tenant's content older than the cutoffs, in one transaction, and says how
    /// many records of each kind it touched; with `dry_run` only counts them.
    async fn apply_retention(
        &self,
        tenant: TenantId,
        cutoffs: &RetentionCutoffs,
        dry_run: bool,
    ) -> StoreResult<RetentionCounts>;
    async fn save_retention_report(&self, report: &RetentionReport) -> StoreResult<()>;
    /// Newest first.
    async fn retention_reports(
        &self,
        tenant: TenantId,
        page: PageRequest,
    ) -> StoreResult<Page<RetentionReport>>;
    /// Anonymises the patient everywhere, in one transaction: contact data, message texts
    /// and media, call recordings and transcripts, lead notes, provider payloads and
    /// identifying external ids; cancels jobs still queued for them. Keeps every row that
    /// records a fact (appointment times and statuses, message statuses, calls' outcomes,
    /// consents, audit entries). Running it again changes nothing more. `NotFound` if the
    /// tenant has no such patient.
    async fn erase_patient(
        &self,
        tenant: TenantId,
        patient: PatientId,
        now: Timestamp,
    ) -> StoreResult<Erasure>;
    /// When the patient was erased, if they were.
    async fn patient_erased_at(&self, tenant: TenantId, patient: PatientId)
    -> StoreResult<Option<Timestamp>>;
    /// Audit entries matching the filter, newest first.
    async fn search_audit(
        &self,
        tenant: TenantId,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> StoreResult<Page<AuditEntry>>;
}
