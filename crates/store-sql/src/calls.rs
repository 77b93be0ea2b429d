//! Voice calls, their transcripts and the raw provider payloads kept for audit.

use crate::{DbTime, parse};
use frontdesk_domain::messaging::MessageText;
use frontdesk_domain::voice::Call;
use frontdesk_store::{StoreError, StoreResult};
use uuid::Uuid;

/// The attempt number as stored (INTEGER); no real retry sequence comes near the limit,
/// so a larger value is refused rather than clamped into a wrong one.
pub fn attempt(c: &Call) -> StoreResult<i32> {
    i32::try_from(c.attempt)
        .map_err(|_| StoreError::corrupt(format!("call attempt {} out of range", c.attempt)))
}

#[derive(sqlx::FromRow)]
pub struct CallRow {
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
    attempt: i32,
    parent_call_id: Option<Uuid>,
    ended_reason: Option<String>,
    started_at: Option<DbTime>,
    ended_at: Option<DbTime>,
    duration_seconds: Option<f64>,
    cost: Option<f64>,
    cost_breakdown: serde_json::Value,
    recording_url: Option<String>,
    stereo_recording_url: Option<String>,
    summary: Option<String>,
    structured_data: serde_json::Value,
    outcome: Option<String>,
    outcome_reason: Option<String>,
    callback_at: Option<DbTime>,
    appointment_id: Option<Uuid>,
    error: Option<String>,
    created_at: DbTime,
    updated_at: DbTime,
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
            started_at: r.started_at.map(|t| t.0),
            ended_at: r.ended_at.map(|t| t.0),
            duration_seconds: r.duration_seconds,
            cost: r.cost,
            cost_breakdown: r.cost_breakdown,
            recording_url: r.recording_url,
            stereo_recording_url: r.stereo_recording_url,
            summary: r.summary.map(MessageText::new),
            structured_data: r.structured_data,
            outcome: r.outcome.as_deref().map(|o| parse(o, "call outcome")).transpose()?,
            outcome_reason: r.outcome_reason,
            callback_at: r.callback_at.map(|t| t.0),
            appointment_id: r.appointment_id.map(Into::into),
            error: r.error,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

pub const CALL: &str = "SELECT id, tenant_id, patient_id, lead_id, direction, provider, provider_call_id, status, \
    reason, assistant_id, attempt, parent_call_id, ended_reason, started_at, ended_at, duration_seconds, cost, \
    cost_breakdown, recording_url, stereo_recording_url, summary, structured_data, outcome, outcome_reason, \
    callback_at, appointment_id, error, created_at, updated_at FROM calls ";

/// Implements `CallStore` for a backend.
#[macro_export]
macro_rules! call_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, serde_json, sqlx, uuid};
            use $crate::calls::{CALL, CallRow, attempt};
            use $crate::{DbTime, SqlBackend, db_err, exec, fetch, found, parse};
            use frontdesk_domain::jobs::NewJob;
            use frontdesk_domain::messaging::MessageText;
            use frontdesk_domain::page::{Page, PageRequest};
            use frontdesk_domain::voice::{Call, OutcomeTally, TranscriptTurn};
            use frontdesk_domain::{CallId, TenantId};
            use frontdesk_store::*;
            use jiff::Timestamp;
            use uuid::Uuid;

            impl $store {
                /// Runs `sql` (an insert or an update of every column, `$1`..`$29` in the
                /// table's order) and enqueues `jobs` in one transaction. `NotFound` (and nothing
                /// enqueued) when it touched no call.
                async fn write_call(&self, sql: &'static str, c: &Call, jobs: &[NewJob], now: Timestamp) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let done = sqlx::query(sql)
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
                        .bind(attempt(c)?)
                        .bind(c.parent_call_id.map(|p| p.0))
                        .bind(&c.ended_reason)
                        .bind(c.started_at.map(DbTime))
                        .bind(c.ended_at.map(DbTime))
                        .bind(c.duration_seconds)
                        .bind(c.cost)
                        .bind(&c.cost_breakdown)
                        .bind(&c.recording_url)
                        .bind(&c.stereo_recording_url)
                        .bind(c.summary.as_ref().map(|s| s.as_str()))
                        .bind(&c.structured_data)
                        .bind(c.outcome.map(|o| o.as_str()))
                        .bind(&c.outcome_reason)
                        .bind(c.callback_at.map(DbTime))
                        .bind(c.appointment_id.map(|a| a.0))
                        .bind(&c.error)
                        .bind(DbTime(c.created_at))
                        .bind(DbTime(c.updated_at))
                        .execute(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    found(done.rows_affected())?;
                    Self::insert_jobs(&mut tx, jobs, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(())
                }

                /// Whether the tenant has this call: writes keyed by a call id check it first, so
                /// that a call of another tenant is absent rather than merely invisible to reads.
                /// The row stays locked until commit (on SQLite the single writer serialises
                /// anyway), so two replacements of one transcript run one after the other.
                async fn owns_call(
                    tx: &mut <<$store as SqlBackend>::Db as sqlx::Database>::Connection,
                    tenant: TenantId,
                    call: CallId,
                ) -> StoreResult<bool> {
                    let sql = format!("SELECT 1 FROM calls WHERE tenant_id = $1 AND id = $2{}", <$store as SqlBackend>::FOR_UPDATE);
                    let found: Option<i32> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                        .bind(tenant.0)
                        .bind(call.0)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(db_err)?;
                    Ok(found.is_some())
                }
            }

            #[async_trait::async_trait]
            impl CallStore for $store {
                async fn insert_call(&self, c: &Call, jobs: &[NewJob], now: Timestamp) -> StoreResult<()> {
                    self.write_call(
                        "INSERT INTO calls (id, tenant_id, patient_id, lead_id, direction, provider, provider_call_id, status,
                            reason, assistant_id, attempt, parent_call_id, ended_reason, started_at, ended_at, duration_seconds,
                            cost, cost_breakdown, recording_url, stereo_recording_url, summary, structured_data, outcome,
                            outcome_reason, callback_at, appointment_id, error, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
                            $21, $22, $23, $24, $25, $26, $27, $28, $29)",
                        c,
                        jobs,
                        now,
                    )
                    .await
                }

                async fn save_call(&self, c: &Call, jobs: &[NewJob], now: Timestamp) -> StoreResult<()> {
                    // $28 (created_at) is bound but never changes.
                    self.write_call(
                        "UPDATE calls SET patient_id = $3, lead_id = $4, direction = $5, provider = $6, provider_call_id = $7,
                            status = $8, reason = $9, assistant_id = $10, attempt = $11, parent_call_id = $12, ended_reason = $13,
                            started_at = $14, ended_at = $15, duration_seconds = $16, cost = $17, cost_breakdown = $18,
                            recording_url = $19, stereo_recording_url = $20, summary = $21, structured_data = $22, outcome = $23,
                            outcome_reason = $24, callback_at = $25, appointment_id = $26, error = $27, updated_at = $29
                         WHERE tenant_id = $2 AND id = $1",
                        c,
                        jobs,
                        now,
                    )
                    .await
                }

                async fn get_call(&self, tenant: TenantId, id: CallId) -> StoreResult<Option<Call>> {
                    let sql = sqlx::AssertSqlSafe(format!("{CALL} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<CallRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id.0)?;
                    row.map(Call::try_from).transpose()
                }

                async fn call_by_provider_id(
                    &self,
                    tenant: TenantId,
                    provider: &str,
                    provider_call_id: &str,
                ) -> StoreResult<Option<Call>> {
                    let sql = sqlx::AssertSqlSafe(format!("{CALL} WHERE tenant_id = $1 AND provider = $2 AND provider_call_id = $3"));
                    let row: Option<CallRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, provider, provider_call_id)?;
                    row.map(Call::try_from).transpose()
                }

                async fn list_calls(
                    &self,
                    tenant: TenantId,
                    f: &CallFilter,
                    page: PageRequest,
                ) -> StoreResult<Page<Call>> {
                    // Ids are time-ordered, so id order is creation order and the cursor is the id.
                    let rows: Vec<CallRow> = fetch!(
                        fetch_all(self.reader()),
                        sqlx::AssertSqlSafe(format!(
                            "{CALL} WHERE tenant_id = $1 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR outcome = $3)
                               AND ($4 IS NULL OR patient_id = $4) AND ($5 IS NULL OR created_at >= $5)
                               AND ($6 IS NULL OR created_at < $6) AND ($7 IS NULL OR id < $7)
                             ORDER BY id DESC LIMIT $8"
                        )),
                        tenant.0,
                        f.status.map(|s| s.as_str()),
                        f.outcome.map(|o| o.as_str()),
                        f.patient_id.map(|p| p.0),
                        f.from.map(DbTime),
                        f.to.map(DbTime),
                        page.before,
                        page.fetch_limit(),
                    )?;
                    let items = rows.into_iter().map(Call::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(items, page, |c| c.id.0))
                }

                async fn replace_transcript(
                    &self,
                    tenant: TenantId,
                    call: CallId,
                    turns: &[TranscriptTurn],
                ) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    if !Self::owns_call(&mut tx, tenant, call).await? {
                        return Err(StoreError::NotFound);
                    }
                    exec!(&mut *tx, "DELETE FROM call_transcript_turns WHERE tenant_id = $1 AND call_id = $2", tenant.0, call.0)?;
                    for (seq, turn) in turns.iter().enumerate() {
                        let seq = i32::try_from(seq).map_err(|_| StoreError::corrupt("transcript too long"))?;
                        let sql = "INSERT INTO call_transcript_turns (tenant_id, call_id, seq, role, text, seconds_from_start)
                             VALUES ($1, $2, $3, $4, $5, $6)";
                        let (role, text) = (&turn.role, turn.text.as_str());
                        exec!(&mut *tx, sql, tenant.0, call.0, seq, role, text, turn.seconds_from_start)?;
                    }
                    tx.commit().await.map_err(db_err)
                }

                async fn transcript(&self, tenant: TenantId, call: CallId) -> StoreResult<Vec<TranscriptTurn>> {
                    let sql = "SELECT role, text, seconds_from_start FROM call_transcript_turns
                         WHERE tenant_id = $1 AND call_id = $2 ORDER BY seq";
                    let rows: Vec<(String, String, Option<f64>)> = fetch!(fetch_all(self.reader()), sql, tenant.0, call.0)?;
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
                    found(exec!(
                        self.writer(),
                        "INSERT INTO call_payloads (id, tenant_id, call_id, kind, payload, received_at)
                         SELECT $1, tenant_id, id, $2, $3, $4 FROM calls WHERE tenant_id = $5 AND id = $6",
                        Uuid::now_v7(),
                        &p.kind,
                        &p.payload,
                        DbTime(p.received_at),
                        tenant.0,
                        p.call_id.0,
                    )?)
                }

                async fn call_payloads(&self, tenant: TenantId, call: CallId) -> StoreResult<Vec<CallPayload>> {
                    let sql = "SELECT call_id, kind, payload, received_at FROM call_payloads
                         WHERE tenant_id = $1 AND call_id = $2 ORDER BY received_at, id";
                    let rows: Vec<(Uuid, String, serde_json::Value, DbTime)> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0, call.0)?;
                    rows.into_iter()
                        .map(|(call_id, kind, payload, received_at)| {
                            Ok(CallPayload { call_id: call_id.into(), kind, payload, received_at: received_at.0 })
                        })
                        .collect()
                }

                async fn call_tallies(
                    &self,
                    tenant: TenantId,
                    from: Timestamp,
                    to: Timestamp,
                ) -> StoreResult<Vec<OutcomeTally>> {
                    let sql = "SELECT outcome, COUNT(*), SUM(COALESCE(duration_seconds, 0.0)), SUM(COALESCE(cost, 0.0)) FROM calls
                         WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
                         GROUP BY outcome ORDER BY outcome IS NULL, outcome";
                    let rows: Vec<(Option<String>, i64, f64, f64)> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0, DbTime(from), DbTime(to))?;
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
        };
    };
}
