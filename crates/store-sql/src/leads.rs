//! Leads, their timeline events and the booking dialogue's state.

use crate::{DbTime, parse};
use frontdesk_domain::leads::{Dialogue, Lead, LeadStage};
use frontdesk_store::{StoreError, StoreResult};
use jiff::Timestamp;
use sqlx::types::Json;
use std::collections::BTreeMap;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub struct LeadRow {
    id: Uuid,
    tenant_id: Uuid,
    patient_id: Uuid,
    source: String,
    utm_source: Option<String>,
    utm_medium: Option<String>,
    utm_campaign: Option<String>,
    utm_term: Option<String>,
    utm_content: Option<String>,
    campaign: Option<String>,
    service_interest: Option<String>,
    notes: Option<String>,
    stage: String,
    lost_reason: Option<String>,
    temperature: String,
    score: i32,
    score_reasons: Json<Vec<String>>,
    owner: Option<String>,
    stage_times: Json<BTreeMap<LeadStage, Timestamp>>,
    first_outbound_at: Option<DbTime>,
    created_at: DbTime,
    updated_at: DbTime,
    pub version: i64,
}

impl TryFrom<LeadRow> for Lead {
    type Error = StoreError;
    fn try_from(r: LeadRow) -> StoreResult<Self> {
        Ok(Lead {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            patient_id: r.patient_id.into(),
            source: parse(&r.source, "lead source")?,
            utm_source: r.utm_source,
            utm_medium: r.utm_medium,
            utm_campaign: r.utm_campaign,
            utm_term: r.utm_term,
            utm_content: r.utm_content,
            campaign: r.campaign,
            service_interest: r.service_interest,
            notes: r.notes,
            stage: parse(&r.stage, "lead stage")?,
            lost_reason: r.lost_reason,
            temperature: parse(&r.temperature, "lead temperature")?,
            score: r.score,
            score_reasons: r.score_reasons.0,
            owner: r.owner,
            stage_times: r.stage_times.0,
            first_outbound_at: r.first_outbound_at.map(|t| t.0),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct DialogueRow {
    tenant_id: Uuid,
    conversation_id: Uuid,
    patient_id: Uuid,
    state: serde_json::Value,
    version: i64,
    updated_at: DbTime,
    expires_at: DbTime,
}

impl TryFrom<DialogueRow> for Dialogue {
    type Error = StoreError;
    fn try_from(r: DialogueRow) -> StoreResult<Self> {
        Ok(Dialogue {
            tenant_id: r.tenant_id.into(),
            conversation_id: r.conversation_id.into(),
            patient_id: r.patient_id.into(),
            state: r.state,
            version: r.version,
            updated_at: r.updated_at.0,
            expires_at: r.expires_at.0,
        })
    }
}

pub const LEAD: &str = "SELECT id, tenant_id, patient_id, source, utm_source, utm_medium, utm_campaign, utm_term, \
    utm_content, campaign, service_interest, notes, stage, lost_reason, temperature, score, score_reasons, owner, \
    stage_times, first_outbound_at, created_at, updated_at, version FROM leads ";

/// Implements `LeadStore` and `DialogueStore` for a backend.
#[macro_export]
macro_rules! lead_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, serde_json, sqlx, uuid};
            use $crate::leads::{DialogueRow, LEAD, LeadRow};
            use $crate::{DbTime, SqlBackend, db_err, exec, fetch, found};
            use frontdesk_domain::jobs::NewJob;
            use frontdesk_domain::leads::{Dialogue, Lead, LeadEvent};
            use frontdesk_domain::page::{Page, PageRequest};
            use frontdesk_domain::{ConversationId, LeadId, PatientId, TenantId};
            use frontdesk_store::*;
            use jiff::Timestamp;
            use sqlx::types::Json;
            use uuid::Uuid;

            type DbQuery<'q> = sqlx::query::Query<'q, <$store as SqlBackend>::Db, <<$store as SqlBackend>::Db as sqlx::Database>::Arguments>;

            /// Binds every column of a lead as `$1`..`$22`, in the order of the table, so the insert
            /// and the update share one list.
            fn bind_lead<'q>(q: DbQuery<'q>, l: &'q Lead) -> DbQuery<'q> {
                q.bind(l.id.0)
                    .bind(l.tenant_id.0)
                    .bind(l.patient_id.0)
                    .bind(l.source.as_str())
                    .bind(&l.utm_source)
                    .bind(&l.utm_medium)
                    .bind(&l.utm_campaign)
                    .bind(&l.utm_term)
                    .bind(&l.utm_content)
                    .bind(&l.campaign)
                    .bind(&l.service_interest)
                    .bind(&l.notes)
                    .bind(l.stage.as_str())
                    .bind(&l.lost_reason)
                    .bind(l.temperature.as_str())
                    .bind(l.score)
                    .bind(Json(&l.score_reasons))
                    .bind(&l.owner)
                    .bind(Json(&l.stage_times))
                    .bind(l.first_outbound_at.map(DbTime))
                    .bind(DbTime(l.created_at))
                    .bind(DbTime(l.updated_at))
            }

            /// Appends timeline events and enqueues jobs inside a lead's transaction. An event is
            /// stored only if its tenant has its lead; otherwise the whole write is `NotFound`.
            /// Wakes workers everywhere once the transaction commits.
            async fn append(
                tx: &mut <<$store as SqlBackend>::Db as sqlx::Database>::Connection,
                events: &[LeadEvent],
                jobs: &[NewJob],
                now: Timestamp,
            ) -> StoreResult<()> {
                for e in events {
                    let sql = "INSERT INTO lead_events (id, tenant_id, lead_id, at, kind, detail)
                         SELECT $1, tenant_id, id, $2, $3, $4 FROM leads WHERE tenant_id = $5 AND id = $6";
                    found(exec!(&mut *tx, sql, e.id, DbTime(e.at), &e.kind, &e.detail, e.tenant_id.0, e.lead_id.0)?)?;
                }
                <$store>::insert_jobs(&mut *tx, jobs, now).await?;
                Ok(())
            }

            impl $store {
                /// Saves every mutable field of a lead if it is at `expected` (any version when
                /// `None`), with its events and jobs; returns the new version.
                async fn save_lead_checked(
                    &self,
                    lead: &Lead,
                    expected: Option<i64>,
                    events: &[LeadEvent],
                    jobs: &[NewJob],
                    now: Timestamp,
                ) -> StoreResult<i64> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    // $21 (created_at) is bound but never changes.
                    let saved = bind_lead(
                        sqlx::query(
                            "UPDATE leads SET patient_id = $3, source = $4, utm_source = $5, utm_medium = $6, utm_campaign = $7,
                                utm_term = $8, utm_content = $9, campaign = $10, service_interest = $11, notes = $12,
                                stage = $13, lost_reason = $14, temperature = $15, score = $16, score_reasons = $17,
                                owner = $18, stage_times = $19, first_outbound_at = $20, updated_at = $22, version = version + 1
                             WHERE tenant_id = $2 AND id = $1 AND ($23 IS NULL OR version = $23)
                               AND EXISTS (SELECT 1 FROM patients WHERE tenant_id = $2 AND id = $3)
                             RETURNING version",
                        ),
                        lead,
                    )
                    .bind(expected)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    // Dropping the transaction rolls it back: no events or jobs for a missing or
                    // changed lead (or a patient the tenant does not have).
                    let Some(saved) = saved else {
                        drop(tx);
                        return Err(self.stale_unless_missing("leads", lead.tenant_id, lead.id.0, expected).await);
                    };
                    let version: i64 = sqlx::Row::try_get(&saved, 0).map_err(db_err)?;
                    append(&mut tx, events, jobs, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(version)
                }
            }

            #[async_trait::async_trait]
            impl LeadStore for $store {
                async fn insert_lead(
                    &self,
                    lead: &Lead,
                    events: &[LeadEvent],
                    jobs: &[NewJob],
                    now: Timestamp,
                ) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    // Inserted only if the tenant has the patient.
                    let done = bind_lead(
                        sqlx::query(
                            "INSERT INTO leads (id, tenant_id, patient_id, source, utm_source, utm_medium, utm_campaign, utm_term,
                                utm_content, campaign, service_interest, notes, stage, lost_reason, temperature, score,
                                score_reasons, owner, stage_times, first_outbound_at, created_at, updated_at)
                             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
                                $19, $20, $21, $22 FROM patients WHERE tenant_id = $2 AND id = $3",
                        ),
                        lead,
                    )
                    .execute(&mut *tx)
                    .await
                    .map_err(db_err)?;
                    found(done.rows_affected())?;
                    append(&mut tx, events, jobs, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(())
                }

                async fn save_lead(
                    &self,
                    lead: &Lead,
                    events: &[LeadEvent],
                    jobs: &[NewJob],
                    now: Timestamp,
                ) -> StoreResult<()> {
                    self.save_lead_checked(lead, None, events, jobs, now).await.map(drop)
                }

                async fn save_lead_if(
                    &self,
                    lead: &Lead,
                    expected_version: i64,
                    events: &[LeadEvent],
                    jobs: &[NewJob],
                    now: Timestamp,
                ) -> StoreResult<i64> {
                    self.save_lead_checked(lead, Some(expected_version), events, jobs, now).await
                }

                async fn get_lead_versioned(&self, tenant: TenantId, id: LeadId) -> StoreResult<Option<Versioned<Lead>>> {
                    let sql = sqlx::AssertSqlSafe(format!("{LEAD} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<LeadRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id.0)?;
                    row.map(|r| Ok(Versioned { version: r.version, value: Lead::try_from(r)? })).transpose()
                }

                async fn get_lead(&self, tenant: TenantId, id: LeadId) -> StoreResult<Option<Lead>> {
                    Ok(self.get_lead_versioned(tenant, id).await?.map(|v| v.value))
                }

                async fn list_leads(
                    &self,
                    tenant: TenantId,
                    f: &LeadFilter,
                    page: PageRequest,
                ) -> StoreResult<Page<Lead>> {
                    // Ids are time-ordered, so id order is creation order and the cursor is the id.
                    let rows: Vec<LeadRow> = fetch!(
                        fetch_all(self.reader()),
                        sqlx::AssertSqlSafe(format!(
                            "{LEAD} WHERE tenant_id = $1 AND ($2 IS NULL OR stage = $2) AND ($3 IS NULL OR temperature = $3)
                               AND ($4 IS NULL OR source = $4) AND ($5 IS NULL OR patient_id = $5)
                               AND ($6 IS NULL OR created_at >= $6) AND ($7 IS NULL OR created_at < $7)
                               AND ($8 IS NULL OR id < $8)
                             ORDER BY id DESC LIMIT $9"
                        )),
                        tenant.0,
                        f.stage.map(|s| s.as_str()),
                        f.temperature.map(|t| t.as_str()),
                        f.source.map(|s| s.as_str()),
                        f.patient_id.map(|p| p.0),
                        f.from.map(DbTime),
                        f.to.map(DbTime),
                        page.before,
                        page.fetch_limit(),
                    )?;
                    let items = rows.into_iter().map(Lead::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(items, page, |l| l.id.0))
                }

                async fn recent_lead_for_patient(
                    &self,
                    tenant: TenantId,
                    patient: PatientId,
                    since: Timestamp,
                ) -> StoreResult<Option<Lead>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{LEAD} WHERE tenant_id = $1 AND patient_id = $2 AND created_at >= $3
                         ORDER BY created_at DESC, id DESC LIMIT 1"
                    ));
                    let row: Option<LeadRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, patient.0, DbTime(since))?;
                    row.map(Lead::try_from).transpose()
                }

                async fn latest_lead_for_patient(
                    &self,
                    tenant: TenantId,
                    patient: PatientId,
                ) -> StoreResult<Option<Lead>> {
                    let sql =
                        sqlx::AssertSqlSafe(format!("{LEAD} WHERE tenant_id = $1 AND patient_id = $2 ORDER BY created_at DESC, id DESC LIMIT 1"));
                    let row: Option<LeadRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, patient.0)?;
                    row.map(Lead::try_from).transpose()
                }

                async fn lead_events(&self, tenant: TenantId, lead: LeadId) -> StoreResult<Vec<LeadEvent>> {
                    let sql = "SELECT id, tenant_id, lead_id, at, kind, detail FROM lead_events
                         WHERE tenant_id = $1 AND lead_id = $2 ORDER BY at, id";
                    let rows: Vec<(Uuid, Uuid, Uuid, DbTime, String, serde_json::Value)> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0, lead.0)?;
                    rows.into_iter()
                        .map(|(id, tenant_id, lead_id, at, kind, detail)| {
                            Ok(LeadEvent {
                                id,
                                tenant_id: tenant_id.into(),
                                lead_id: lead_id.into(),
                                at: at.0,
                                kind,
                                detail,
                            })
                        })
                        .collect()
                }
            }

            #[async_trait::async_trait]
            impl DialogueStore for $store {
                async fn get_dialogue(
                    &self,
                    tenant: TenantId,
                    conversation: ConversationId,
                ) -> StoreResult<Option<Dialogue>> {
                    let sql = "SELECT tenant_id, conversation_id, patient_id, state, version, updated_at, expires_at
                         FROM dialogues WHERE tenant_id = $1 AND conversation_id = $2";
                    let row: Option<DialogueRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, conversation.0)?;
                    row.map(Dialogue::try_from).transpose()
                }

                async fn save_dialogue(&self, d: &Dialogue, expected_version: Option<i64>) -> StoreResult<i64> {
                    let Some(expected) = expected_version else {
                        // Inserted only if the tenant has the conversation, with this patient; a second
                        // insert hits the primary key (Conflict).
                        let done = exec!(
                            self.writer(),
                            "INSERT INTO dialogues (tenant_id, conversation_id, patient_id, state, version, updated_at, expires_at)
                             SELECT tenant_id, id, patient_id, $1, 1, $2, $3 FROM conversations
                             WHERE tenant_id = $4 AND id = $5 AND patient_id = $6",
                            &d.state,
                            DbTime(d.updated_at),
                            DbTime(d.expires_at),
                            d.tenant_id.0,
                            d.conversation_id.0,
                            d.patient_id.0,
                        )?;
                        return found(done).map(|()| 1);
                    };
                    let next = expected.checked_add(1).ok_or_else(|| StoreError::corrupt("dialogue version overflow"))?;
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let done = exec!(
                        &mut *tx,
                        "UPDATE dialogues SET state = $1, version = $2, updated_at = $3, expires_at = $4
                         WHERE tenant_id = $5 AND conversation_id = $6 AND version = $7",
                        &d.state,
                        next,
                        DbTime(d.updated_at),
                        DbTime(d.expires_at),
                        d.tenant_id.0,
                        d.conversation_id.0,
                        expected,
                    )?;
                    if done == 1 {
                        tx.commit().await.map_err(db_err)?;
                        return Ok(next);
                    }
                    let stored: Option<i64> =
                        sqlx::query_scalar("SELECT version FROM dialogues WHERE tenant_id = $1 AND conversation_id = $2")
                            .bind(d.tenant_id.0)
                            .bind(d.conversation_id.0)
                            .fetch_optional(&mut *tx)
                            .await
                            .map_err(db_err)?;
                    match stored {
                        Some(_) => Err(StoreError::Conflict(frontdesk_store::Conflict::Stale)),
                        None => Err(StoreError::NotFound),
                    }
                }

                async fn delete_dialogue(&self, tenant: TenantId, conversation: ConversationId) -> StoreResult<()> {
                    let sql = "DELETE FROM dialogues WHERE tenant_id = $1 AND conversation_id = $2";
                    exec!(self.writer(), sql, tenant.0, conversation.0).map(drop)
                }
            }
        };
    };
}
