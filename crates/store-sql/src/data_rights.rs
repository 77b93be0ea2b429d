//! Retention settings and runs, erasure and audit search, for both backends.

use crate::DbTime;
use frontdesk_domain::data_rights::{RetentionCounts, RetentionCutoffs, RetentionPolicy, RetentionReport};
use frontdesk_store::StoreError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a report row's `body` holds.
#[derive(Serialize, Deserialize)]
pub struct ReportBody {
    pub policy: RetentionPolicy,
    pub cutoffs: RetentionCutoffs,
    pub counts: RetentionCounts,
}

#[derive(sqlx::FromRow)]
pub struct ReportRow {
    id: Uuid,
    tenant_id: Uuid,
    actor: String,
    dry_run: bool,
    body: String,
    started_at: DbTime,
    finished_at: DbTime,
}

impl TryFrom<ReportRow> for RetentionReport {
    type Error = StoreError;
    fn try_from(r: ReportRow) -> Result<Self, StoreError> {
        let body: ReportBody =
            serde_json::from_str(&r.body).map_err(|_| StoreError::corrupt("retention report"))?;
        Ok(RetentionReport {
            id: r.id,
            tenant_id: r.tenant_id.into(),
            actor: r.actor,
            dry_run: r.dry_run,
            policy: body.policy,
            cutoffs: body.cutoffs,
            counts: body.counts,
            started_at: r.started_at.0,
            finished_at: r.finished_at.0,
        })
    }
}

/// One kind of content a retention run purges: the rows it touches (after `WHERE`, with
/// the tenant as `$1` and the cutoff as `$2`), how it purges them, and the counter.
pub struct Rule {
    pub table: &'static str,
    pub purge: &'static str,
    pub rows: &'static str,
}

pub const MESSAGE_TEXT: Rule = Rule {
    table: "messages",
    purge: "UPDATE messages SET body = NULL, media = '[]', transcript = NULL, search_text = NULL",
    rows: "tenant_id = $1 AND created_at < $2
           AND (body IS NOT NULL OR transcript IS NOT NULL OR search_text IS NOT NULL OR media <> '[]')",
};
pub const MESSAGE_PAYLOADS: Rule = Rule {
    table: "inbound_events",
    purge: "UPDATE inbound_events SET payload = '{\"purged\":true}'",
    rows: "tenant_id = $1 AND received_at < $2 AND payload <> '{\"purged\":true}'",
};
pub const RECORDINGS: Rule = Rule {
    table: "calls",
    purge: "UPDATE calls SET recording_url = NULL, stereo_recording_url = NULL",
    rows: "tenant_id = $1 AND created_at < $2 AND (recording_url IS NOT NULL OR stereo_recording_url IS NOT NULL)",
};
pub const TRANSCRIPTS: Rule = Rule {
    table: "calls",
    purge: "UPDATE calls SET summary = NULL, structured_data = 'null'",
    rows: "tenant_id = $1 AND created_at < $2 AND (summary IS NOT NULL OR structured_data <> 'null')",
};
pub const TRANSCRIPT_TURNS: Rule = Rule {
    table: "call_transcript_turns",
    purge: "DELETE FROM call_transcript_turns",
    rows: "tenant_id = $1 AND call_id IN (SELECT id FROM calls WHERE tenant_id = $1 AND created_at < $2)",
};
pub const CALL_PAYLOADS: Rule = Rule {
    table: "call_payloads",
    purge: "UPDATE call_payloads SET payload = '{\"purged\":true}'",
    rows: "tenant_id = $1 AND received_at < $2 AND payload <> '{\"purged\":true}'",
};

/// `DataRightsStore` for a backend named `$name`.
#[macro_export]
macro_rules! data_rights_store {
    ($store:ty, $name:literal) => {
        $crate::erasure_impl!($store, $name);
        const _: () = {
            use $crate::data_rights::{ReportBody, ReportRow, Rule};
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, serde_json, sqlx, uuid};
            use $crate::{DbTime, SqlBackend as _, db_err, exec, fetch};
            use frontdesk_domain::audit::AuditEntry;
            use frontdesk_domain::data_rights::*;
            use frontdesk_domain::page::{Page, PageRequest};
            use frontdesk_domain::{PatientId, TenantId};
            use frontdesk_store::*;
            use jiff::Timestamp;

            #[async_trait::async_trait]
            impl DataRightsStore for $store {
                async fn retention_policy(&self, tenant: TenantId) -> StoreResult<RetentionPolicy> {
                    let row: Option<(String,)> = fetch!(
                        fetch_optional(self.reader()),
                        "SELECT body FROM retention_policies WHERE tenant_id = $1",
                        tenant.0
                    )?;
                    match row {
                        None => Ok(RetentionPolicy::default()),
                        Some((body,)) => serde_json::from_str(&body).map_err(|_| StoreError::corrupt("retention policy")),
                    }
                }

                async fn save_retention_policy(
                    &self,
                    tenant: TenantId,
                    policy: &RetentionPolicy,
                    now: Timestamp,
                ) -> StoreResult<()> {
                    let body = serde_json::to_string(policy).map_err(|e| StoreError::corrupt(e.to_string()))?;
                    exec!(
                        self.writer(),
                        "INSERT INTO retention_policies (tenant_id, body, updated_at) VALUES ($1, $2, $3)
                         ON CONFLICT (tenant_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
                        tenant.0,
                        body,
                        DbTime(now)
                    )
                    .map(drop)
                }

                async fn apply_retention(
                    &self,
                    tenant: TenantId,
                    c: &RetentionCutoffs,
                    dry_run: bool,
                ) -> StoreResult<RetentionCounts> {
                    use $crate::data_rights::*;
                    // The raw call reports hold the recording link and the transcript: they go
                    // with whichever of the two goes first.
                    let call_payloads = match (c.call_recording_before, c.call_transcript_before) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                    let plan: [(&Rule, Option<Timestamp>); 6] = [
                        (&MESSAGE_TEXT, c.message_text_before),
                        (&MESSAGE_PAYLOADS, c.message_text_before),
                        (&RECORDINGS, c.call_recording_before),
                        (&TRANSCRIPTS, c.call_transcript_before),
                        (&TRANSCRIPT_TURNS, c.call_transcript_before),
                        (&CALL_PAYLOADS, call_payloads),
                    ];
                    let mut done = [0u64; 6];
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    for (i, (rule, cutoff)) in plan.iter().enumerate() {
                        let Some(cutoff) = cutoff else { continue };
                        done[i] = if dry_run {
                            let sql = sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {} WHERE {}", rule.table, rule.rows));
                            let (count,): (i64,) = fetch!(fetch_one(&mut *tx), sql, tenant.0, DbTime(*cutoff))?;
                            count.max(0) as u64
                        } else {
                            let sql = sqlx::AssertSqlSafe(format!("{} WHERE {}", rule.purge, rule.rows));
                            exec!(&mut *tx, sql, tenant.0, DbTime(*cutoff))?
                        };
                    }
                    tx.commit().await.map_err(db_err)?;
                    let [messages, message_payloads, call_recordings, call_transcripts, transcript_turns, call_payloads] = done;
                    Ok(RetentionCounts {
                        messages,
                        message_payloads,
                        call_recordings,
                        call_transcripts,
                        transcript_turns,
                        call_payloads,
                    })
                }

                async fn save_retention_report(&self, r: &RetentionReport) -> StoreResult<()> {
                    let body = ReportBody { policy: r.policy, cutoffs: r.cutoffs, counts: r.counts };
                    let body = serde_json::to_string(&body).map_err(|e| StoreError::corrupt(e.to_string()))?;
                    exec!(
                        self.writer(),
                        "INSERT INTO retention_reports (id, tenant_id, actor, dry_run, body, started_at, finished_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                        r.id,
                        r.tenant_id.0,
                        &r.actor,
                        r.dry_run,
                        body,
                        DbTime(r.started_at),
                        DbTime(r.finished_at)
                    )
                    .map(drop)
                }

                async fn retention_reports(
                    &self,
                    tenant: TenantId,
                    page: PageRequest,
                ) -> StoreResult<Page<RetentionReport>> {
                    let rows: Vec<ReportRow> = fetch!(
                        fetch_all(self.reader()),
                        "SELECT id, tenant_id, actor, dry_run, body, started_at, finished_at FROM retention_reports
                         WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
                        tenant.0,
                        page.before,
                        page.fetch_limit()
                    )?;
                    let items = rows.into_iter().map(RetentionReport::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(items, page, |r| r.id))
                }

                async fn erase_patient(&self, tenant: TenantId, patient: PatientId, now: Timestamp) -> StoreResult<Erasure> {
                    self.erase_patient_now(tenant, patient, now).await
                }

                async fn patient_erased_at(&self, tenant: TenantId, patient: PatientId) -> StoreResult<Option<Timestamp>> {
                    let row: Option<(DbTime,)> = fetch!(
                        fetch_optional(self.reader()),
                        "SELECT erased_at FROM patient_erasures WHERE tenant_id = $1 AND patient_id = $2",
                        tenant.0,
                        patient.0
                    )?;
                    Ok(row.map(|(at,)| at.0))
                }

                async fn search_audit(
                    &self,
                    tenant: TenantId,
                    f: &AuditFilter,
                    page: PageRequest,
                ) -> StoreResult<Page<AuditEntry>> {
                    let sql = "SELECT id, tenant_id, actor, action, resource_type, resource_id, patient_id, request_id, at
                         FROM audit_log WHERE tenant_id = $1 AND ($2 IS NULL OR actor = $2) AND ($3 IS NULL OR action = $3)
                           AND ($4 IS NULL OR patient_id = $4) AND ($5 IS NULL OR resource_type = $5)
                           AND ($6 IS NULL OR resource_id = $6) AND ($7 IS NULL OR at >= $7) AND ($8 IS NULL OR at < $8)
                           AND ($9 IS NULL OR id < $9)
                         ORDER BY id DESC LIMIT $10";
                    let rows: Vec<$crate::tenants::AuditRow> = fetch!(
                        fetch_all(self.reader()),
                        sql,
                        tenant.0,
                        &f.actor,
                        &f.action,
                        f.patient_id.map(|p| p.0),
                        &f.resource_type,
                        &f.resource_id,
                        f.from.map(DbTime),
                        f.to.map(DbTime),
                        page.before,
                        page.fetch_limit()
                    )?;
                    Ok(Page::from_rows(rows.into_iter().map(AuditEntry::from).collect(), page, |e| e.id.0))
                }
            }
        };
    };
}
