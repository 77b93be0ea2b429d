//! The waitlist: entries (who waits for what) and the offers of freed slots made to them.

use crate::StoreResult;
use async_trait::async_trait;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::waitlist::{EntryStatus, OfferStatus, WaitlistEntry, WaitlistOffer};
use frontdesk_domain::{PatientId, PractitionerId, ServiceId, TenantId};
use jiff::Timestamp;
use uuid::Uuid;

/// Which offers to list: all of the tenant's by default.
#[derive(Debug, Clone, Default)]
pub struct OfferFilter {
    pub status: Option<OfferStatus>,
    pub entry_id: Option<Uuid>,
    pub patient_id: Option<PatientId>,
}

#[async_trait]
pub trait WaitlistStore: Send + Sync {
    async fn add_waitlist_entry(&self, entry: &WaitlistEntry) -> StoreResult<()>;
    async fn get_waitlist_entry(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<WaitlistEntry>>;
    /// Newest first.
    async fn list_waitlist_entries(
        &self,
        tenant: TenantId,
        status: Option<EntryStatus>,
        page: PageRequest,
    ) -> StoreResult<Page<WaitlistEntry>>;
    /// Every entry still waiting for `service`, oldest first.
    async fn waiting_for_service(
        &self,
        tenant: TenantId,
        service: ServiceId,
    ) -> StoreResult<Vec<WaitlistEntry>>;
    /// Moves an entry from `from` to `to`; false when it was not in `from` (or is not there).
    async fn move_waitlist_entry(
        &self,
        tenant: TenantId,
        id: Uuid,
        from: EntryStatus,
        to: EntryStatus,
        now: Timestamp,
    ) -> StoreResult<bool>;
    /// Files offers with the jobs that send them, in one transaction. An entry offered a
    /// slot (practitioner and start) once is not offered it again: such offers are skipped,
    /// and only the ones filed are returned (their jobs are filed whatever happens; they are
    /// keyed by offer, so a skipped offer's job finds nothing to send).
    async fn file_waitlist_offers(
        &self,
        offers: &[WaitlistOffer],
        jobs: &[NewJob],
        now: Timestamp,
    ) -> StoreResult<Vec<WaitlistOffer>>;
    async fn get_waitlist_offer(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<WaitlistOffer>>;
    /// Newest first.
    async fn list_waitlist_offers(
        &self,
        tenant: TenantId,
        filter: &OfferFilter,
        page: PageRequest,
    ) -> StoreResult<Page<WaitlistOffer>>;
    /// Every offer made of the slot of `practitioner` starting at `start`, in any state.
    async fn offers_for_slot(
        &self,
        tenant: TenantId,
        practitioner: PractitionerId,
        start: Timestamp,
    ) -> StoreResult<Vec<WaitlistOffer>>;
    /// Moves an offer from `from` to `to` (recording the appointment it booked, if any);
    /// false when it was no longer in `from`. Exactly one caller wins a move, which is what
    /// makes "the first to accept books it" and "each other patient is told once" hold.
    async fn move_waitlist_offer(
        &self,
        tenant: TenantId,
        id: Uuid,
        from: OfferStatus,
        to: OfferStatus,
        appointment: Option<frontdesk_domain::AppointmentId>,
        now: Timestamp,
    ) -> StoreResult<bool>;
}
