//! Appointments on SQLite. Double booking is prevented by checking for overlaps and
//! inserting inside one `BEGIN IMMEDIATE` transaction: SQLite lets one writer at a time
//! hold it, so no other booking can slip in between the check and the insert.

use crate::SqliteStore;
use crate::convert::{db_err, from_ts, ts};
use async_trait::async_trait;
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::scheduling::{Appointment, AppointmentEvent, AppointmentStatus, TimeRange};
use frontdesk_domain::{AppointmentId, PractitionerId, TenantId};
use frontdesk_store::{
    AppointmentChange, AppointmentFilter, AppointmentStore, BookingOutcome, Conflict, NewBooking,
    NoShowCounts, StoreError, StoreResult,
};
use sqlx::SqliteConnection;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct AppointmentRow {
    id: Uuid,
    tenant_id: Uuid,
    patient_id: Uuid,
    practitioner_id: Uuid,
    location_id: Uuid,
    service_id: Uuid,
    start_at: i64,
    end_at: i64,
    blocked_until: i64,
    status: String,
    version: i32,
    external_id: Option<String>,
    cancel_reason: Option<String>,
    created_at: i64,
    updated_at: i64,
}

fn status(raw: &str) -> StoreResult<AppointmentStatus> {
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
            start: from_ts(r.start_at)?,
            end: from_ts(r.end_at)?,
            blocked_until: from_ts(r.blocked_until)?,
            status: status(&r.status)?,
            version: r.version,
            external_id: r.external_id,
            cancel_reason: r.cancel_reason,
            created_at: from_ts(r.created_at)?,
            updated_at: from_ts(r.updated_at)?,
        })
    }
}

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT id, tenant_id, patient_id, practitioner_id, location_id, service_id, start_at, end_at, blocked_until,
                    status, version, external_id, cancel_reason, created_at, updated_at FROM appointments ",
            $tail
        )
    };
}

/// Live statuses, the ones that occupy the calendar (`AppointmentStatus::occupies_calendar`).
const LIVE: &str = "('booked','confirmed','checked_in','completed')";

async fn overlaps(tx: &mut SqliteConnection, a: &Appointment) -> StoreResult<bool> {
    let hit: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT 1 FROM appointments WHERE tenant_id = ? AND practitioner_id = ? AND id <> ? AND status IN {LIVE}
         AND start_at < ? AND blocked_until > ? LIMIT 1"
    )))
    .bind(a.tenant_id.0)
    .bind(a.practitioner_id.0)
    .bind(a.id.0)
    .bind(ts(a.blocked_until))
    .bind(ts(a.start))
    .fetch_optional(&mut *tx)
    .await
    .map_err(db_err)?;
    Ok(hit.is_some())
}

async fn insert_event(tx: &mut SqliteConnection, tenant: TenantId, e: &AppointmentEvent) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO appointment_events (id, tenant_id, appointment_id, at, action, from_status, to_status, actor, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(Uuid::now_v7())
    .bind(tenant.0)
    .bind(e.appointment_id.0)
    .bind(ts(e.at))
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
    conn: &mut SqliteConnection,
    tenant: TenantId,
    id: AppointmentId,
) -> StoreResult<Option<Appointment>> {
    let row: Option<AppointmentRow> = sqlx::query_as(select!("WHERE tenant_id = ? AND id = ?"))
        .bind(tenant.0)
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    row.map(Appointment::try_from).transpose()
}

#[async_trait]
impl AppointmentStore for SqliteStore {
    async fn book_appointment(&self, b: &NewBooking) -> StoreResult<BookingOutcome> {
        let a = &b.appointment;
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
        if let Some(claim) = &b.idempotency {
            let prior: Option<(String, Uuid)> = sqlx::query_as(
                "SELECT request_hash, appointment_id FROM idempotency_keys WHERE tenant_id = ? AND key = ?",
            )
            .bind(a.tenant_id.0)
            .bind(&claim.key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?;
            if let Some((hash, id)) = prior {
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
        sqlx::query(
            "INSERT INTO appointments (id, tenant_id, patient_id, practitioner_id, location_id, service_id, start_at, end_at,
                blocked_until, status, version, external_id, cancel_reason, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(a.id.0)
        .bind(a.tenant_id.0)
        .bind(a.patient_id.0)
        .bind(a.practitioner_id.0)
        .bind(a.location_id.0)
        .bind(a.service_id.0)
        .bind(ts(a.start))
        .bind(ts(a.end))
        .bind(ts(a.blocked_until))
        .bind(a.status.as_str())
        .bind(a.version)
        .bind(&a.external_id)
        .bind(&a.cancel_reason)
        .bind(ts(a.created_at))
        .bind(ts(a.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        insert_event(&mut tx, a.tenant_id, &b.event).await?;
        if let Some(claim) = &b.idempotency {
            sqlx::query(
                "INSERT INTO idempotency_keys (tenant_id, key, request_hash, appointment_id, created_at) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(a.tenant_id.0)
            .bind(&claim.key)
            .bind(&claim.request_hash)
            .bind(a.id.0)
            .bind(ts(a.created_at))
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        for job in &b.jobs {
            SqliteStore::insert_job(&mut tx, job, a.created_at).await?;
        }
        let booked = fetch(&mut tx, a.tenant_id, a.id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(db_err)?;
        if !b.jobs.is_empty() {
            self.wakeups.notify_waiters();
        }
        Ok(BookingOutcome::Booked(booked))
    }

    async fn update_appointment(&self, c: &AppointmentChange) -> StoreResult<Appointment> {
        let a = &c.appointment;
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await.map_err(db_err)?;
        if a.status.occupies_calendar() && overlaps(&mut tx, a).await? {
            return Err(StoreError::Conflict(Conflict::SlotTaken));
        }
        let done = sqlx::query(
            "UPDATE appointments SET practitioner_id = ?, location_id = ?, service_id = ?, start_at = ?, end_at = ?,
                blocked_until = ?, status = ?, version = ?, external_id = ?, cancel_reason = ?, updated_at = ?
             WHERE tenant_id = ? AND id = ? AND version = ?",
        )
        .bind(a.practitioner_id.0)
        .bind(a.location_id.0)
        .bind(a.service_id.0)
        .bind(ts(a.start))
        .bind(ts(a.end))
        .bind(ts(a.blocked_until))
        .bind(a.status.as_str())
        .bind(a.version)
        .bind(&a.external_id)
        .bind(&a.cancel_reason)
        .bind(ts(a.updated_at))
        .bind(a.tenant_id.0)
        .bind(a.id.0)
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
                "UPDATE jobs SET status = 'cancelled', lease_token = NULL, lease_until = NULL, updated_at = ?
                 WHERE tenant_id = ? AND dedupe_key = ? AND status IN ('queued','running')",
            )
            .bind(ts(a.updated_at))
            .bind(a.tenant_id.0)
            .bind(key)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        for job in &c.jobs {
            SqliteStore::insert_job(&mut tx, job, a.updated_at).await?;
        }
        let saved = fetch(&mut tx, a.tenant_id, a.id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await.map_err(db_err)?;
        if !c.jobs.is_empty() {
            self.wakeups.notify_waiters();
        }
        Ok(saved)
    }

    async fn get_appointment(&self, tenant: TenantId, id: AppointmentId) -> StoreResult<Option<Appointment>> {
        let mut conn = self.reader.acquire().await.map_err(db_err)?;
        fetch(&mut conn, tenant, id).await
    }

    async fn list_appointments(
        &self,
        tenant: TenantId,
        f: &AppointmentFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Appointment>> {
        // The cursor is the last row's id; rows are ordered by (start_at, id).
        let rows: Vec<AppointmentRow> = sqlx::query_as(select!(
            "WHERE tenant_id = ?1
               AND (?2 IS NULL OR start_at >= ?2) AND (?3 IS NULL OR start_at < ?3)
               AND (?4 IS NULL OR status = ?4) AND (?5 IS NULL OR practitioner_id = ?5)
               AND (?6 IS NULL OR patient_id = ?6)
               AND (?7 IS NULL OR (start_at, id) > (SELECT start_at, id FROM appointments WHERE tenant_id = ?1 AND id = ?7))
             ORDER BY start_at, id LIMIT ?8"
        ))
        .bind(tenant.0)
        .bind(f.from.map(ts))
        .bind(f.to.map(ts))
        .bind(f.status.map(|s| s.as_str()))
        .bind(f.practitioner_id.map(|p| p.0))
        .bind(f.patient_id.map(|p| p.0))
        .bind(page.before)
        .bind(page.fetch_limit())
        .fetch_all(&self.reader)
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
        // UUID blobs travel as a JSON array of hex strings (one bind for any number of ids).
        let ids: Vec<String> = practitioners.iter().map(|p| p.0.simple().to_string()).collect();
        // One row per practitioner with "start/end,start/end,..." rather than one row per
        // appointment: a search reads thousands of ranges, and per-row overhead dominated.
        let rows: Vec<(Uuid, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT practitioner_id, group_concat(start_at || '/' || end_at) FROM appointments
             WHERE tenant_id = ? AND status IN {LIVE} AND start_at < ? AND blocked_until > ?
               AND practitioner_id IN (SELECT unhex(value) FROM json_each(?))
             GROUP BY practitioner_id"
        )))
        .bind(tenant.0)
        .bind(ts(range.end))
        .bind(ts(range.start))
        .bind(serde_json::to_string(&ids).unwrap_or_default())
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        let mut out = Vec::new();
        for (p, packed) in rows {
            for pair in packed.split(',') {
                let (s, e) = pair.split_once('/').ok_or_else(|| StoreError::corrupt("busy range"))?;
                let micros = |v: &str| v.parse::<i64>().map_err(|_| StoreError::corrupt("busy range"));
                out.push((p.into(), TimeRange { start: from_ts(micros(s)?)?, end: from_ts(micros(e)?)? }));
            }
        }
        out.sort_by_key(|(p, r): &(PractitionerId, TimeRange)| (*p, r.start));
        Ok(out)
    }

    async fn appointment_history(
        &self,
        tenant: TenantId,
        id: AppointmentId,
    ) -> StoreResult<Vec<AppointmentEvent>> {
        let rows: Vec<(i64, String, Option<String>, String, String, Option<String>)> = sqlx::query_as(
            "SELECT at, action, from_status, to_status, actor, detail FROM appointment_events
             WHERE tenant_id = ? AND appointment_id = ? ORDER BY id",
        )
        .bind(tenant.0)
        .bind(id.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(at, action, from, to, actor, detail)| {
                Ok(AppointmentEvent {
                    appointment_id: id,
                    at: from_ts(at)?,
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
            "SELECT request_hash, appointment_id FROM idempotency_keys WHERE tenant_id = ? AND key = ?",
        )
        .bind(tenant.0)
        .bind(key)
        .fetch_optional(&self.reader)
        .await
        .map_err(db_err)?;
        Ok(row.map(|(hash, id)| (hash, id.into())))
    }

    async fn no_show_counts(&self, tenant: TenantId) -> StoreResult<NoShowCounts> {
        let by_patient: Vec<(Uuid, i64)> = sqlx::query_as(
            "SELECT patient_id, COUNT(*) FROM appointments WHERE tenant_id = ? AND status = 'no_show'
             GROUP BY patient_id ORDER BY COUNT(*) DESC, patient_id",
        )
        .bind(tenant.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        let by_practitioner: Vec<(Uuid, i64)> = sqlx::query_as(
            "SELECT practitioner_id, COUNT(*) FROM appointments WHERE tenant_id = ? AND status = 'no_show'
             GROUP BY practitioner_id ORDER BY COUNT(*) DESC, practitioner_id",
        )
        .bind(tenant.0)
        .fetch_all(&self.reader)
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
