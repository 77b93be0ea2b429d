//! Appointments, their history and idempotent booking. No two live appointments of a
//! practitioner may overlap, whatever the concurrency: PostgreSQL enforces it with an
//! exclusion constraint; SQLite by checking inside a `BEGIN IMMEDIATE` transaction, which
//! one writer at a time holds (`SqlBackend::begin_booking`, `CHECKS_OVERLAP`).

use crate::DbTime;
use frontdesk_domain::scheduling::{Appointment, AppointmentStatus};
use frontdesk_store::{StoreError, StoreResult};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub struct AppointmentRow {
    id: Uuid,
    tenant_id: Uuid,
    patient_id: Uuid,
    practitioner_id: Uuid,
    location_id: Uuid,
    service_id: Uuid,
    start_at: DbTime,
    end_at: DbTime,
    blocked_until: DbTime,
    status: String,
    version: i32,
    external_id: Option<String>,
    cancel_reason: Option<String>,
    created_at: DbTime,
    updated_at: DbTime,
}

pub fn status(raw: &str) -> StoreResult<AppointmentStatus> {
    raw.parse().map_err(|_| StoreError::corrupt(format!("appointment status {raw:?}")))
}

impl TryFrom<AppointmentRow> for Appointment {
    type Error = StoreError;
    fn try_from(r: AppointmentRow) -> Result<Self, StoreError> {
        Ok(Appointment {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            patient_id: r.patient_id.into(),
            practitioner_id: r.practitioner_id.into(),
            location_id: r.location_id.into(),
            service_id: r.service_id.into(),
            start: r.start_at.0,
            end: r.end_at.0,
            blocked_until: r.blocked_until.0,
            status: status(&r.status)?,
            version: r.version,
            external_id: r.external_id,
            cancel_reason: r.cancel_reason,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

pub const APPOINTMENT: &str = "SELECT id, tenant_id, patient_id, practitioner_id, location_id, service_id, start_at, \
    end_at, blocked_until, status, version, external_id, cancel_reason, created_at, updated_at FROM appointments ";

/// Live statuses, the ones that occupy the calendar (`AppointmentStatus::occupies_calendar`).
pub const LIVE: &str = "('booked','confirmed','checked_in','completed')";

/// Implements `AppointmentStore` for a backend.
#[macro_export]
macro_rules! appointment_store {
    ($store:ty) => {
        const _: () = {
            use $crate::appointments::{APPOINTMENT, AppointmentRow, LIVE, status};
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, sqlx, uuid};
            use $crate::{DbTime, SqlBackend, db_err};
            use frontdesk_domain::page::{Page, PageRequest};
            use frontdesk_domain::scheduling::{Appointment, AppointmentEvent, TimeRange};
            use frontdesk_domain::{AppointmentId, PractitionerId, TenantId};
            use frontdesk_store::*;
            use uuid::Uuid;

            type Conn = <<$store as SqlBackend>::Db as sqlx::Database>::Connection;

            type Db = <$store as SqlBackend>::Db;
            type DbQuery<'q> = sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments>;

            /// Binds every column of an appointment as `$1`..`$15`, in the table's order, so
            /// the insert and the update share one list.
            fn bind_appointment<'q>(q: DbQuery<'q>, a: &'q Appointment) -> DbQuery<'q> {
                q.bind(a.id.0)
                    .bind(a.tenant_id.0)
                    .bind(a.patient_id.0)
                    .bind(a.practitioner_id.0)
                    .bind(a.location_id.0)
                    .bind(a.service_id.0)
                    .bind(DbTime(a.start))
                    .bind(DbTime(a.end))
                    .bind(DbTime(a.blocked_until))
                    .bind(a.status.as_str())
                    .bind(a.version)
                    .bind(&a.external_id)
                    .bind(&a.cancel_reason)
                    .bind(DbTime(a.created_at))
                    .bind(DbTime(a.updated_at))
            }

            /// Whether another live appointment of the practitioner overlaps `a`'s blocked
            /// range; asked only where the database does not refuse overlaps itself.
            async fn overlaps(tx: &mut Conn, a: &Appointment) -> StoreResult<bool> {
                if !<$store as SqlBackend>::CHECKS_OVERLAP {
                    return Ok(false);
                }
                let hit: Option<i32> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT 1 FROM appointments WHERE tenant_id = $1 AND practitioner_id = $2 AND id <> $3
                       AND status IN {LIVE} AND start_at < $4 AND blocked_until > $5 LIMIT 1"
                )))
                .bind(a.tenant_id.0)
                .bind(a.practitioner_id.0)
                .bind(a.id.0)
                .bind(DbTime(a.blocked_until))
                .bind(DbTime(a.start))
                .fetch_optional(&mut *tx)
                .await
                .map_err(db_err)?;
                Ok(hit.is_some())
            }

            async fn insert_event(tx: &mut Conn, tenant: TenantId, e: &AppointmentEvent) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO appointment_events (id, tenant_id, appointment_id, at, action, from_status, to_status, actor, detail)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(Uuid::now_v7())
                .bind(tenant.0)
                .bind(e.appointment_id.0)
                .bind(DbTime(e.at))
                .bind(&e.action)
                .bind(e.from_status.map(|s| s.as_str()))
                .bind(e.to_status.as_str())
                .bind(&e.actor)
                .bind(&e.detail)
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
                Ok(())
            }

            async fn fetch(
                conn: &mut Conn,
                tenant: TenantId,
                id: AppointmentId,
            ) -> StoreResult<Option<Appointment>> {
                let row: Option<AppointmentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{APPOINTMENT} WHERE tenant_id = $1 AND id = $2")))
                    .bind(tenant.0)
                    .bind(id.0)
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db_err)?;
                row.map(Appointment::try_from).transpose()
            }

            #[async_trait::async_trait]
            impl AppointmentStore for $store {
                async fn book_appointment(&self, b: &NewBooking) -> StoreResult<BookingOutcome> {
                    let a = &b.appointment;
                    let mut tx = self.begin_booking().await?;
                    // Claim the idempotency key first: a concurrent request with the same key waits on
                    // this row and then sees it, instead of racing for the slot.
                    if let Some(claim) = &b.idempotency {
                        let claimed = sqlx::query(
                            "INSERT INTO idempotency_keys (tenant_id, key, request_hash, appointment_id, created_at)
                             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, key) DO NOTHING",
                        )
                        .bind(a.tenant_id.0)
                        .bind(&claim.key)
                        .bind(&claim.request_hash)
                        .bind(a.id.0)
                        .bind(DbTime(a.created_at))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                        if claimed.rows_affected() == 0 {
                            let (hash, id): (String, Uuid) = sqlx::query_as(
                                "SELECT request_hash, appointment_id FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
                            )
                            .bind(a.tenant_id.0)
                            .bind(&claim.key)
                            .fetch_one(&mut *tx)
                            .await
                            .map_err(db_err)?;
                            if hash != claim.request_hash {
                                return Err(StoreError::Conflict(Conflict::IdempotencyKeyReused));
                            }
                            let earlier = fetch(&mut tx, a.tenant_id, id.into()).await?.ok_or(StoreError::NotFound)?;
                            return Ok(BookingOutcome::Replayed(earlier));
                        }
                    }
                    if overlaps(&mut tx, a).await? {
                        return Err(StoreError::Conflict(Conflict::SlotTaken));
                    }
                    bind_appointment(sqlx::query(
                        "INSERT INTO appointments (id, tenant_id, patient_id, practitioner_id, location_id, service_id, start_at, end_at,
                            blocked_until, status, version, external_id, cancel_reason, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                    ), a)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    insert_event(&mut tx, a.tenant_id, &b.event).await?;
                    Self::insert_jobs(&mut tx, &b.jobs, a.created_at).await?;
                    let booked = fetch(&mut tx, a.tenant_id, a.id).await?.ok_or(StoreError::NotFound)?;
                    tx.commit().await.map_err(db_err)?;
                    if !b.jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(BookingOutcome::Booked(booked))
                }

                async fn update_appointment(&self, c: &AppointmentChange) -> StoreResult<Appointment> {
                    let a = &c.appointment;
                    let mut tx = self.begin_booking().await?;
                    if a.status.occupies_calendar() && overlaps(&mut tx, a).await? {
                        return Err(StoreError::Conflict(Conflict::SlotTaken));
                    }
                    // Patient and creation time ($3, $14) are bound but never change.
                    let done = bind_appointment(sqlx::query(
                        "UPDATE appointments SET practitioner_id = $4, location_id = $5, service_id = $6, start_at = $7,
                            end_at = $8, blocked_until = $9, status = $10, version = $11, external_id = $12,
                            cancel_reason = $13, updated_at = $15
                         WHERE tenant_id = $2 AND id = $1 AND version = $16",
                    ), a)
                    .bind(c.expected_version)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    if done.rows_affected() == 0 {
                        return Err(match fetch(&mut tx, a.tenant_id, a.id).await? {
                            Some(_) => StoreError::Conflict(Conflict::Stale),
                            None => StoreError::NotFound,
                        });
                    }
                    insert_event(&mut tx, a.tenant_id, &c.event).await?;
                    for key in &c.cancel_dedupe_keys {
                        sqlx::query(
                            "UPDATE jobs SET status = 'cancelled', lease_token = NULL, lease_until = NULL, updated_at = $1
                             WHERE tenant_id = $2 AND dedupe_key = $3 AND status IN ('queued','running')",
                        )
                        .bind(DbTime(a.updated_at))
                        .bind(a.tenant_id.0)
                        .bind(key)
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    }
                    Self::insert_jobs(&mut tx, &c.jobs, a.updated_at).await?;
                    let saved = fetch(&mut tx, a.tenant_id, a.id).await?.ok_or(StoreError::NotFound)?;
                    tx.commit().await.map_err(db_err)?;
                    if !c.jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(saved)
                }

                async fn get_appointment(&self, tenant: TenantId, id: AppointmentId) -> StoreResult<Option<Appointment>> {
                    let mut conn = self.reader().acquire().await.map_err(db_err)?;
                    fetch(&mut conn, tenant, id).await
                }

                async fn list_appointments(
                    &self,
                    tenant: TenantId,
                    f: &AppointmentFilter,
                    page: PageRequest,
                ) -> StoreResult<Page<Appointment>> {
                    // The cursor is the last row's id; rows are ordered by (start_at, id).
                    let rows: Vec<AppointmentRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "{APPOINTMENT} WHERE tenant_id = $1
                           AND ($2 IS NULL OR start_at >= $2) AND ($3 IS NULL OR start_at < $3)
                           AND ($4 IS NULL OR status = $4) AND ($5 IS NULL OR practitioner_id = $5)
                           AND ($6 IS NULL OR patient_id = $6)
                           AND ($7 IS NULL OR (start_at, id) > (SELECT start_at, id FROM appointments WHERE tenant_id = $1 AND id = $7))
                         ORDER BY start_at, id LIMIT $8"
                    )))
                    .bind(tenant.0)
                    .bind(f.from.map(DbTime))
                    .bind(f.to.map(DbTime))
                    .bind(f.status.map(|s| s.as_str()))
                    .bind(f.practitioner_id.map(|p| p.0))
                    .bind(f.patient_id.map(|p| p.0))
                    .bind(page.before)
                    .bind(page.fetch_limit())
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                    let items = rows.into_iter().map(Appointment::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(items, page, |a| a.id.0))
                }

                async fn busy_ranges(
                    &self,
                    tenant: TenantId,
                    practitioners: &[PractitionerId],
                    range: TimeRange,
                ) -> StoreResult<Vec<(PractitionerId, TimeRange)>> {
                    let mut out = self.live_ranges($crate::BusyQuery { tenant, practitioners, range }).await?;
                    out.sort_by_key(|(p, r): &(PractitionerId, TimeRange)| (*p, r.start));
                    Ok(out)
                }

                async fn appointment_history(
                    &self,
                    tenant: TenantId,
                    id: AppointmentId,
                ) -> StoreResult<Vec<AppointmentEvent>> {
                    let rows: Vec<(DbTime, String, Option<String>, String, String, Option<String>)> =
                        sqlx::query_as(
                            "SELECT at, action, from_status, to_status, actor, detail FROM appointment_events
                         WHERE tenant_id = $1 AND appointment_id = $2 ORDER BY id",
                        )
                        .bind(tenant.0)
                        .bind(id.0)
                        .fetch_all(self.reader())
                        .await
                        .map_err(db_err)?;
                    rows.into_iter()
                        .map(|(at, action, from, to, actor, detail)| {
                            Ok(AppointmentEvent {
                                appointment_id: id,
                                at: at.0,
                                action,
                                from_status: from.as_deref().map(status).transpose()?,
                                to_status: status(&to)?,
                                actor,
                                detail,
                            })
                        })
                        .collect()
                }

                async fn idempotency_record(
                    &self,
                    tenant: TenantId,
                    key: &str,
                ) -> StoreResult<Option<(String, AppointmentId)>> {
                    let row: Option<(String, Uuid)> = sqlx::query_as(
                        "SELECT request_hash, appointment_id FROM idempotency_keys WHERE tenant_id = $1 AND key = $2",
                    )
                    .bind(tenant.0)
                    .bind(key)
                    .fetch_optional(self.reader())
                    .await
                    .map_err(db_err)?;
                    Ok(row.map(|(hash, id)| (hash, id.into())))
                }

                async fn no_show_counts(&self, tenant: TenantId) -> StoreResult<NoShowCounts> {
                    let by_patient: Vec<(Uuid, i64)> = sqlx::query_as(
                        "SELECT patient_id, COUNT(*) FROM appointments WHERE tenant_id = $1 AND status = 'no_show'
                         GROUP BY patient_id ORDER BY COUNT(*) DESC, patient_id",
                    )
                    .bind(tenant.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                    let by_practitioner: Vec<(Uuid, i64)> = sqlx::query_as(
                        "SELECT practitioner_id, COUNT(*) FROM appointments WHERE tenant_id = $1 AND status = 'no_show'
                         GROUP BY practitioner_id ORDER BY COUNT(*) DESC, practitioner_id",
                    )
                    .bind(tenant.0)
                    .fetch_all(self.reader())
                    .await
                    .map_err(db_err)?;
                    Ok(NoShowCounts {
                        by_patient: by_patient.into_iter().map(|(id, n)| (id.into(), n.max(0) as u64)).collect(),
                        by_practitioner: by_practitioner
                            .into_iter()
                            .map(|(id, n)| (id.into(), n.max(0) as u64))
                            .collect(),
                    })
                }
            }
        };
    };
}
