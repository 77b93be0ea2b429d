//! The waitlist's entries and offers.

use crate::{DbDate, DbTime};
use frontdesk_domain::waitlist::{
    EntryStatus, FreedSlot, OfferStatus, TimeWindow, WaitlistEntry, WaitlistOffer,
};
use frontdesk_store::StoreError;
use sqlx::types::Json;
use uuid::Uuid;

pub const ENTRY: &str = "SELECT id, tenant_id, patient_id, service_id, practitioner_id, location_id, windows, not_after, status, source, created_at, updated_at FROM waitlist_entries ";

pub const OFFER: &str = "SELECT id, tenant_id, entry_id, patient_id, practitioner_id, location_id, service_id, slot_start, slot_end, status, round, sent_at, expires_at, appointment_id, created_at, updated_at FROM waitlist_offers ";

#[derive(sqlx::FromRow)]
pub struct EntryRow {
    id: Uuid,
    tenant_id: Uuid,
    patient_id: Uuid,
    service_id: Uuid,
    practitioner_id: Option<Uuid>,
    location_id: Option<Uuid>,
    windows: Json<Vec<TimeWindow>>,
    not_after: Option<DbDate>,
    status: String,
    source: String,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<EntryRow> for WaitlistEntry {
    type Error = StoreError;
    fn try_from(r: EntryRow) -> Result<Self, StoreError> {
        Ok(WaitlistEntry {
            id: r.id,
            tenant_id: r.tenant_id.into(),
            patient_id: r.patient_id.into(),
            service_id: r.service_id.into(),
            practitioner_id: r.practitioner_id.map(Into::into),
            location_id: r.location_id.map(Into::into),
            windows: r.windows.0,
            not_after: r.not_after.map(|d| d.0),
            status: EntryStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt("waitlist entry status"))?,
            source: r.source,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct OfferRow {
    id: Uuid,
    tenant_id: Uuid,
    entry_id: Uuid,
    patient_id: Uuid,
    practitioner_id: Uuid,
    location_id: Uuid,
    service_id: Uuid,
    slot_start: DbTime,
    slot_end: DbTime,
    status: String,
    round: i64,
    sent_at: DbTime,
    expires_at: DbTime,
    appointment_id: Option<Uuid>,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<OfferRow> for WaitlistOffer {
    type Error = StoreError;
    fn try_from(r: OfferRow) -> Result<Self, StoreError> {
        Ok(WaitlistOffer {
            id: r.id,
            tenant_id: r.tenant_id.into(),
            entry_id: r.entry_id,
            patient_id: r.patient_id.into(),
            slot: FreedSlot {
                practitioner_id: r.practitioner_id.into(),
                location_id: r.location_id.into(),
                service_id: r.service_id.into(),
                start: r.slot_start.0,
                end: r.slot_end.0,
            },
            status: OfferStatus::parse(&r.status)
                .ok_or_else(|| StoreError::corrupt("waitlist offer status"))?,
            round: u32::try_from(r.round).map_err(|_| StoreError::corrupt("waitlist offer round"))?,
            sent_at: r.sent_at.0,
            expires_at: r.expires_at.0,
            appointment_id: r.appointment_id.map(Into::into),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

/// `WaitlistStore` for a backend.
#[macro_export]
macro_rules! waitlist_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, sqlx, uuid};
            use $crate::waitlist::{ENTRY, EntryRow, OFFER, OfferRow};
            use $crate::{DbDate, DbTime, SqlBackend as _, db_err, exec, fetch, found};
            use frontdesk_domain::jobs::NewJob;
            use frontdesk_domain::page::{Page, PageRequest};
            use frontdesk_domain::waitlist::{EntryStatus, OfferStatus, WaitlistEntry, WaitlistOffer};
            use frontdesk_domain::{AppointmentId, PractitionerId, ServiceId, TenantId};
            use frontdesk_store::*;
            use jiff::Timestamp;
            use sqlx::types::Json;
            use uuid::Uuid;

            #[async_trait::async_trait]
            impl WaitlistStore for $store {
                async fn add_waitlist_entry(&self, e: &WaitlistEntry) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "INSERT INTO waitlist_entries (id, tenant_id, patient_id, service_id, practitioner_id, location_id,
                            windows, not_after, status, source, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                        e.id,
                        e.tenant_id.0,
                        e.patient_id.0,
                        e.service_id.0,
                        e.practitioner_id.map(|p| p.0),
                        e.location_id.map(|l| l.0),
                        Json(&e.windows),
                        e.not_after.map(DbDate),
                        e.status.as_str(),
                        &e.source,
                        DbTime(e.created_at),
                        DbTime(e.updated_at),
                    )
                    .map(drop)
                }

                async fn get_waitlist_entry(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<WaitlistEntry>> {
                    let sql = sqlx::AssertSqlSafe(format!("{ENTRY} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<EntryRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id)?;
                    row.map(WaitlistEntry::try_from).transpose()
                }

                async fn list_waitlist_entries(
                    &self,
                    tenant: TenantId,
                    status: Option<EntryStatus>,
                    page: PageRequest,
                ) -> StoreResult<Page<WaitlistEntry>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{ENTRY} WHERE tenant_id = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR id < $3)
                         ORDER BY id DESC LIMIT $4"
                    ));
                    let rows: Vec<EntryRow> = fetch!(
                        fetch_all(self.reader()),
                        sql,
                        tenant.0,
                        status.map(|s| s.as_str()),
                        page.before,
                        page.fetch_limit()
                    )?;
                    let items = rows.into_iter().map(WaitlistEntry::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(items, page, |e| e.id))
                }

                async fn waiting_for_service(
                    &self,
                    tenant: TenantId,
                    service: ServiceId,
                ) -> StoreResult<Vec<WaitlistEntry>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{ENTRY} WHERE tenant_id = $1 AND service_id = $2 AND status = 'waiting' ORDER BY created_at, id"
                    ));
                    let rows: Vec<EntryRow> = fetch!(fetch_all(self.reader()), sql, tenant.0, service.0)?;
                    rows.into_iter().map(WaitlistEntry::try_from).collect()
                }

                async fn move_waitlist_entry(
                    &self,
                    tenant: TenantId,
                    id: Uuid,
                    from: EntryStatus,
                    to: EntryStatus,
                    now: Timestamp,
                ) -> StoreResult<bool> {
                    let moved = exec!(
                        self.writer(),
                        "UPDATE waitlist_entries SET status = $1, updated_at = $2
                         WHERE tenant_id = $3 AND id = $4 AND status = $5",
                        to.as_str(),
                        DbTime(now),
                        tenant.0,
                        id,
                        from.as_str(),
                    )?;
                    Ok(moved == 1)
                }

                async fn file_waitlist_offers(
                    &self,
                    offers: &[WaitlistOffer],
                    jobs: &[NewJob],
                    now: Timestamp,
                ) -> StoreResult<Vec<WaitlistOffer>> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let mut filed = Vec::with_capacity(offers.len());
                    for o in offers {
                        let inserted = exec!(
                            &mut *tx,
                            "INSERT INTO waitlist_offers (id, tenant_id, entry_id, patient_id, practitioner_id, location_id,
                                service_id, slot_start, slot_end, status, round, sent_at, expires_at, appointment_id,
                                created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                             ON CONFLICT (tenant_id, entry_id, practitioner_id, slot_start) DO NOTHING",
                            o.id,
                            o.tenant_id.0,
                            o.entry_id,
                            o.patient_id.0,
                            o.slot.practitioner_id.0,
                            o.slot.location_id.0,
                            o.slot.service_id.0,
                            DbTime(o.slot.start),
                            DbTime(o.slot.end),
                            o.status.as_str(),
                            i64::from(o.round),
                            DbTime(o.sent_at),
                            DbTime(o.expires_at),
                            o.appointment_id.map(|a| a.0),
                            DbTime(o.created_at),
                            DbTime(o.updated_at),
                        )?;
                        if inserted == 1 {
                            filed.push(o.clone());
                        }
                    }
                    Self::insert_jobs(&mut tx, jobs, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(filed)
                }

                async fn get_waitlist_offer(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<WaitlistOffer>> {
                    let sql = sqlx::AssertSqlSafe(format!("{OFFER} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<OfferRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id)?;
                    row.map(WaitlistOffer::try_from).transpose()
                }

                async fn list_waitlist_offers(
                    &self,
                    tenant: TenantId,
                    f: &OfferFilter,
                    page: PageRequest,
                ) -> StoreResult<Page<WaitlistOffer>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{OFFER} WHERE tenant_id = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR entry_id = $3)
                           AND ($4 IS NULL OR patient_id = $4) AND ($5 IS NULL OR id < $5)
                         ORDER BY id DESC LIMIT $6"
                    ));
                    let rows: Vec<OfferRow> = fetch!(
                        fetch_all(self.reader()),
                        sql,
                        tenant.0,
                        f.status.map(|s| s.as_str()),
                        f.entry_id,
                        f.patient_id.map(|p| p.0),
                        page.before,
                        page.fetch_limit()
                    )?;
                    let items = rows.into_iter().map(WaitlistOffer::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(items, page, |o| o.id))
                }

                async fn offers_for_slot(
                    &self,
                    tenant: TenantId,
                    practitioner: PractitionerId,
                    start: Timestamp,
                ) -> StoreResult<Vec<WaitlistOffer>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{OFFER} WHERE tenant_id = $1 AND practitioner_id = $2 AND slot_start = $3 ORDER BY id"
                    ));
                    let rows: Vec<OfferRow> =
                        fetch!(fetch_all(self.writer()), sql, tenant.0, practitioner.0, DbTime(start))?;
                    rows.into_iter().map(WaitlistOffer::try_from).collect()
                }

                async fn move_waitlist_offer(
                    &self,
                    tenant: TenantId,
                    id: Uuid,
                    from: OfferStatus,
                    to: OfferStatus,
                    appointment: Option<AppointmentId>,
                    now: Timestamp,
                ) -> StoreResult<bool> {
                    let moved = exec!(
                        self.writer(),
                        "UPDATE waitlist_offers SET status = $1, appointment_id = COALESCE($2, appointment_id), updated_at = $3
                         WHERE tenant_id = $4 AND id = $5 AND status = $6",
                        to.as_str(),
                        appointment.map(|a| a.0),
                        DbTime(now),
                        tenant.0,
                        id,
                        from.as_str(),
                    )?;
                    Ok(moved == 1)
                }
            }
        };
    };
}
