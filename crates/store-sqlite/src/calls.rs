//! Voice calls, their transcripts and raw provider payloads on SQLite.

use crate::SqliteStore;
use crate::convert::{db_err, from_opt_ts, from_ts, ts};
use crate::convert::{json, unjson};
use async_trait::async_trait;
use frontdesk_domain::jobs::NewJob;
use frontdesk_domain::messaging::MessageText;
use frontdesk_domain::page::{Page, PageRequest};
use frontdesk_domain::voice::{Call, OutcomeTally, TranscriptTurn};
use frontdesk_domain::{CallId, TenantId};
use frontdesk_store::{CallFilter, CallPayload, CallStore, StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::SqliteConnection;
use uuid::Uuid;

fn parse<T: std::str::FromStr>(raw: &str, what: &str) -> StoreResult<T> {
    raw.parse().map_err(|_| StoreError::corrupt(format!("{what} {raw:?}")))
}

#[derive(sqlx::FromRow)]
struct CallRow {
    id: Uuid,
    tenant_id: Uuid,
    patient_id: Option<Uuid>,
    lead_id: Option<Uuid>,
    direction: String,
    provider: String,
    provider_call_id: Option<String>,
    status: String,
    reason: Option<String>,
    assistant_id: Option<String>,
    attempt: i64,
    parent_call_id: Option<Uuid>,
    ended_reason: Option<String>,
    started_at: Option<i64>,
    ended_at: Option<i64>,
    duration_seconds: Option<f64>,
    cost: Option<f64>,
    cost_breakdown: String,
    recording_url: Option<String>,
    stereo_recording_url: Option<String>,
    summary: Option<String>,
    structured_data: String,
    outcome: Option<String>,
    outcome_reason: Option<String>,
    callback_at: Option<i64>,
    appointment_id: Option<Uuid>,
    error: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<CallRow> for Call {
    type Error = StoreError;
    fn try_from(r: CallRow) -> StoreResult<Self> {
        Ok(Call {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            patient_id: r.patient_id.map(Into::into),
            lead_id: r.lead_id.map(Into::into),
            direction: parse(&r.direction, "call direction")?,
            provider: r.provider,
            provider_call_id: r.provider_call_id,
            status: parse(&r.status, "call status")?,
            reason: r.reason,
            assistant_id: r.assistant_id,
            attempt: u32::try_from(r.attempt).map_err(|_| StoreError::corrupt("call attempt"))?,
            parent_call_id: r.parent_call_id.map(Into::into),
            ended_reason: r.ended_reason,
            started_at: from_opt_ts(r.started_at)?,
            ended_at: from_opt_ts(r.ended_at)?,
            duration_seconds: r.duration_seconds,
            cost: r.cost,
            cost_breakdown: unjson(&r.cost_breakdown, "call cost breakdown")?,
            recording_url: r.recording_url,
            stereo_recording_url: r.stereo_recording_url,
            summary: r.summary.map(MessageText::new),
            structured_data: unjson(&r.structured_data, "call structured data")?,
            outcome: r.outcome.as_deref().map(|o| parse(o, "call outcome")).transpose()?,
            outcome_reason: r.outcome_reason,
            callback_at: from_opt_ts(r.callback_at)?,
            appointment_id: r.appointment_id.map(Into::into),
            error: r.error,
            created_at: from_ts(r.created_at)?,
            updated_at: from_ts(r.updated_at)?,
        })
    }
}

macro_rules! calls {
    ($tail:literal) => {
        concat!(
            "SELECT id, tenant_id, patient_id, lead_id, direction, provider, provider_call_id, status, reason,
                    assistant_id, attempt, parent_call_id, ended_reason, started_at, ended_at, duration_seconds,
                    cost, cost_breakdown, recording_url, stereo_recording_url, summary, structured_data, outcome,
                    outcome_reason, callback_at, appointment_id, error, created_at, updated_at FROM calls ",
            $tail
        )
    };
}

/// Whether the tenant has this call: writes keyed by a call id check it first, so that a
/// call of another tenant is absent rather than merely invisible to reads.
async fn owns_call(tx: &mut SqliteConnection, tenant: TenantId, call: CallId) -> StoreResult<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM calls WHERE tenant_id = ? AND id = ?")
        .bind(tenant.0)
        .bind(call.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?;
    Ok(found.is_some())
}

#[async_trait]
impl CallStore for SqliteStore {
    async fn insert_call(&self, c: &Call, jobs: &[NewJob], now: Timestamp) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(db_err)?;
        sqlx::query(
            "INSERT INTO calls (id, tenant_id, patient_id, lead_id, direction, provider, provider_call_id, status,
                reason, assistant_id, attempt, parent_call_id, ended_reason, started_at, ended_at, duration_seconds,
                cost, cost_breakdown, recording_url, stereo_recording_url, summary, structured_data, outcome,
                outcome_reason, callback_at, appointment_id, error, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(c.id.0)
        .bind(c.tenant_id.0)
        .bind(c.patient_id.map(|p| p.0))
        .bind(c.lead_id.map(|l| l.0))
        .bind(c.direction.as_str())
        .bind(&c.provider)
        .bind(&c.provider_call_id)
        .bind(c.status.as_str())
        .bind(&c.reason)
        .bind(&c.assistant_id)
        .bind(i64::from(c.attempt))
        .bind(c.parent_call_id.map(|p| p.0))
        .bind(&c.ended_reason)
        .bind(c.started_at.map(ts))
        .bind(c.ended_at.map(ts))
        .bind(c.duration_seconds)
        .bind(c.cost)
        .bind(json(&c.cost_breakdown)?)
        .bind(&c.recording_url)
        .bind(&c.stereo_recording_url)
        .bind(c.summary.as_ref().map(|s| s.as_str()))
        .bind(json(&c.structured_data)?)
        .bind(c.outcome.map(|o| o.as_str()))
        .bind(&c.outcome_reason)
        .bind(c.callback_at.map(ts))
        .bind(c.appointment_id.map(|a| a.0))
        .bind(&c.error)
        .bind(ts(c.created_at))
        .bind(ts(c.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        for job in jobs {
            SqliteStore::insert_job(&mut tx, job, now).await?;
        }
        tx.commit().await.map_err(db_err)?;
        if !jobs.is_empty() {
            self.wakeups.notify_waiters();
        }
        Ok(())
    }

    async fn save_call(&self, c: &Call, jobs: &[NewJob], now: Timestamp) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(db_err)?;
        let done = sqlx::query(
            "UPDATE calls SET patient_id = ?, lead_id = ?, direction = ?, provider = ?, provider_call_id = ?,
                status = ?, reason = ?, assistant_id = ?, attempt = ?, parent_call_id = ?, ended_reason = ?,
                started_at = ?, ended_at = ?, duration_seconds = ?, cost = ?, cost_breakdown = ?, recording_url = ?,
                stereo_recording_url = ?, summary = ?, structured_data = ?, outcome = ?, outcome_reason = ?,
                callback_at = ?, appointment_id = ?, error = ?, updated_at = ?
             WHERE tenant_id = ? AND id = ?",
        )
        .bind(c.patient_id.map(|p| p.0))
        .bind(c.lead_id.map(|l| l.0))
        .bind(c.direction.as_str())
        .bind(&c.provider)
        .bind(&c.provider_call_id)
        .bind(c.status.as_str())
        .bind(&c.reason)
        .bind(&c.assistant_id)
        .bind(i64::from(c.attempt))
        .bind(c.parent_call_id.map(|p| p.0))
        .bind(&c.ended_reason)
        .bind(c.started_at.map(ts))
        .bind(c.ended_at.map(ts))
        .bind(c.duration_seconds)
        .bind(c.cost)
        .bind(json(&c.cost_breakdown)?)
        .bind(&c.recording_url)
        .bind(&c.stereo_recording_url)
        .bind(c.summary.as_ref().map(|s| s.as_str()))
        .bind(json(&c.structured_data)?)
        .bind(c.outcome.map(|o| o.as_str()))
        .bind(&c.outcome_reason)
        .bind(c.callback_at.map(ts))
        .bind(c.appointment_id.map(|a| a.0))
        .bind(&c.error)
        .bind(ts(c.updated_at))
        .bind(c.tenant_id.0)
        .bind(c.id.0)
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        // Dropping the transaction rolls it back: no follow-up jobs for a missing call.
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        for job in jobs {
            SqliteStore::insert_job(&mut tx, job, now).await?;
        }
        tx.commit().await.map_err(db_err)?;
        if !jobs.is_empty() {
            self.wakeups.notify_waiters();
        }
        Ok(())
    }

    async fn get_call(&self, tenant: TenantId, id: CallId) -> StoreResult<Option<Call>> {
        let row: Option<CallRow> = sqlx::query_as(calls!("WHERE tenant_id = ? AND id = ?"))
            .bind(tenant.0)
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(db_err)?;
        row.map(Call::try_from).transpose()
    }

    async fn call_by_provider_id(
        &self,
        tenant: TenantId,
        provider: &str,
        provider_call_id: &str,
    ) -> StoreResult<Option<Call>> {
        let row: Option<CallRow> =
            sqlx::query_as(calls!("WHERE tenant_id = ? AND provider = ? AND provider_call_id = ?"))
                .bind(tenant.0)
                .bind(provider)
                .bind(provider_call_id)
                .fetch_optional(&self.reader)
                .await
                .map_err(db_err)?;
        row.map(Call::try_from).transpose()
    }

    async fn list_calls(
        &self,
        tenant: TenantId,
        f: &CallFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Call>> {
        // Ids are time-ordered, so id order is creation order and the cursor is the id.
        let rows: Vec<CallRow> = sqlx::query_as(calls!(
            "WHERE tenant_id = ?1 AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR outcome = ?3)
               AND (?4 IS NULL OR patient_id = ?4) AND (?5 IS NULL OR created_at >= ?5)
               AND (?6 IS NULL OR created_at < ?6) AND (?7 IS NULL OR id < ?7)
             ORDER BY id DESC LIMIT ?8"
        ))
        .bind(tenant.0)
        .bind(f.status.map(|s| s.as_str()))
        .bind(f.outcome.map(|o| o.as_str()))
        .bind(f.patient_id.map(|p| p.0))
        .bind(f.from.map(ts))
        .bind(f.to.map(ts))
        .bind(page.before)
        .bind(page.fetch_limit())
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        let items = rows.into_iter().map(Call::try_from).collect::<StoreResult<Vec<_>>>()?;
        Ok(Page::from_rows(items, page, |c| c.id.0))
    }

    async fn replace_transcript(
        &self,
        tenant: TenantId,
        call: CallId,
        turns: &[TranscriptTurn],
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(db_err)?;
        if !owns_call(&mut tx, tenant, call).await? {
            return Err(StoreError::NotFound);
        }
        sqlx::query("DELETE FROM call_transcript_turns WHERE tenant_id = ? AND call_id = ?")
            .bind(tenant.0)
            .bind(call.0)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        for (seq, turn) in turns.iter().enumerate() {
            let seq = i64::try_from(seq).map_err(|_| StoreError::corrupt("transcript too long"))?;
            sqlx::query(
                "INSERT INTO call_transcript_turns (tenant_id, call_id, seq, role, text, seconds_from_start)
                 VALUES (?, ?, ?, ?, ?, ?)",
            )
            .bind(tenant.0)
            .bind(call.0)
            .bind(seq)
            .bind(&turn.role)
            .bind(turn.text.as_str())
            .bind(turn.seconds_from_start)
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
        }
        tx.commit().await.map_err(db_err)
    }

    async fn transcript(&self, tenant: TenantId, call: CallId) -> StoreResult<Vec<TranscriptTurn>> {
        let rows: Vec<(String, String, Option<f64>)> = sqlx::query_as(
            "SELECT role, text, seconds_from_start FROM call_transcript_turns
             WHERE tenant_id = ? AND call_id = ? ORDER BY seq",
        )
        .bind(tenant.0)
        .bind(call.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        Ok(rows
            .into_iter()
            .map(|(role, text, seconds_from_start)| TranscriptTurn {
                role,
                text: MessageText::new(text),
                seconds_from_start,
            })
            .collect())
    }

    async fn record_call_payload(&self, tenant: TenantId, p: &CallPayload) -> StoreResult<()> {
        // Inserted only if the tenant has the call; otherwise the call is absent.
        let done = sqlx::query(
            "INSERT INTO call_payloads (id, tenant_id, call_id, kind, payload, received_at)
             SELECT ?, tenant_id, id, ?, ?, ? FROM calls WHERE tenant_id = ? AND id = ?",
        )
        .bind(Uuid::now_v7())
        .bind(&p.kind)
        .bind(json(&p.payload)?)
        .bind(ts(p.received_at))
        .bind(tenant.0)
        .bind(p.call_id.0)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn call_payloads(&self, tenant: TenantId, call: CallId) -> StoreResult<Vec<CallPayload>> {
        let rows: Vec<(Uuid, String, String, i64)> = sqlx::query_as(
            "SELECT call_id, kind, payload, received_at FROM call_payloads
             WHERE tenant_id = ? AND call_id = ? ORDER BY received_at, id",
        )
        .bind(tenant.0)
        .bind(call.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(call_id, kind, payload, received_at)| {
                Ok(CallPayload {
                    call_id: call_id.into(),
                    kind,
                    payload: unjson(&payload, "call payload")?,
                    received_at: from_ts(received_at)?,
                })
            })
            .collect()
    }

    async fn call_tallies(
        &self,
        tenant: TenantId,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<OutcomeTally>> {
        // TOTAL, unlike SUM, is always a float (0.0 over no values or only NULLs).
        let rows: Vec<(Option<String>, i64, f64, f64)> = sqlx::query_as(
            "SELECT outcome, COUNT(*), TOTAL(duration_seconds), TOTAL(cost) FROM calls
             WHERE tenant_id = ? AND created_at >= ? AND created_at < ?
             GROUP BY outcome ORDER BY outcome IS NULL, outcome",
        )
        .bind(tenant.0)
        .bind(ts(from))
        .bind(ts(to))
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(outcome, calls, duration_seconds, cost)| {
                Ok(OutcomeTally {
                    outcome: outcome.as_deref().map(|o| parse(o, "call outcome")).transpose()?,
                    calls: u64::try_from(calls).map_err(|_| StoreError::corrupt("call count"))?,
                    duration_seconds,
                    cost,
                })
            })
            .collect()
    }
}
