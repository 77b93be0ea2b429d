//! Campaigns, their audiences and enrollments.

use crate::DbTime;

/// Enrollments per insert statement (nine values each, well within both databases' limits
/// on bound values).
pub const ENROLLMENTS_PER_INSERT: usize = 500;
use frontdesk_domain::campaigns::{
    Campaign, CampaignKind, CampaignStatus, Enrollment, EnrollmentState, Segment, SendingWindow, Step,
};
use frontdesk_store::StoreError;
use sqlx::types::Json;
use uuid::Uuid;

pub const CAMPAIGN: &str = "SELECT id, tenant_id, name, kind, segment, steps, send_window, status, created_at, updated_at FROM campaigns ";

pub const ENROLLMENT: &str = "SELECT id, tenant_id, campaign_id, patient_id, state, steps_sent, last_sent_at, created_at, updated_at FROM campaign_enrollments ";

#[derive(sqlx::FromRow)]
pub struct CampaignRow {
    id: Uuid,
    tenant_id: Uuid,
    name: String,
    kind: String,
    segment: Json<Segment>,
    steps: Json<Vec<Step>>,
    send_window: Json<SendingWindow>,
    status: String,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<CampaignRow> for Campaign {
    type Error = StoreError;
    fn try_from(r: CampaignRow) -> Result<Self, StoreError> {
        Ok(Campaign {
            id: r.id,
            tenant_id: r.tenant_id.into(),
            name: r.name,
            kind: r.kind.parse().map_err(|_| StoreError::corrupt("campaign kind"))?,
            segment: r.segment.0,
            steps: r.steps.0,
            window: r.send_window.0,
            status: r.status.parse().map_err(|_| StoreError::corrupt("campaign status"))?,
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct EnrollmentRow {
    id: Uuid,
    tenant_id: Uuid,
    campaign_id: Uuid,
    patient_id: Uuid,
    state: String,
    steps_sent: i64,
    last_sent_at: Option<DbTime>,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<EnrollmentRow> for Enrollment {
    type Error = StoreError;
    fn try_from(r: EnrollmentRow) -> Result<Self, StoreError> {
        Ok(Enrollment {
            id: r.id,
            tenant_id: r.tenant_id.into(),
            campaign_id: r.campaign_id,
            patient_id: r.patient_id.into(),
            state: r.state.parse::<EnrollmentState>().map_err(|_| StoreError::corrupt("enrollment state"))?,
            steps_sent: u32::try_from(r.steps_sent).map_err(|_| StoreError::corrupt("enrollment steps"))?,
            last_sent_at: r.last_sent_at.map(|t| t.0),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

/// A campaign status as stored.
pub fn status(s: CampaignStatus) -> &'static str {
    s.as_str()
}

/// The audience query of a campaign kind. Parameters: $1 tenant, $2 after (patient id),
/// $3 now, $4 the recall's cut-off, $5 service, $6 practitioner, $7 unit, $8 only
/// patients who missed an appointment, $9 limit, $10 lead stage, $11 lead source, $12 to
/// $14 tags the patient must all carry, $15 a channel they must be reachable on. The segment's filters apply to the
/// appointment the kind is about (the last visit, the cancelled or missed one); for a
/// custom campaign, to any appointment of the patient.
pub fn audience_sql(kind: CampaignKind) -> String {
    const FILTERS: &str = "($5 IS NULL OR a.service_id = $5) AND ($6 IS NULL OR a.practitioner_id = $6)
                           AND ($7 IS NULL OR a.location_id = $7)";
    let by_kind = match kind {
        // The last attended visit (for the service, practitioner, unit asked) is older than the cut-off.
        CampaignKind::Recall => format!(
            "(SELECT MAX(a.start_at) FROM appointments a WHERE a.tenant_id = p.tenant_id AND a.patient_id = p.id
                AND a.status IN ('checked_in', 'completed') AND {FILTERS}) < $4"
        ),
        // Cancelled or missed, and nothing (kept) booked after it.
        CampaignKind::Recovery => format!(
            "EXISTS (SELECT 1 FROM appointments a WHERE a.tenant_id = p.tenant_id AND a.patient_id = p.id
                AND a.status IN ('cancelled', 'no_show') AND {FILTERS}
                AND NOT EXISTS (SELECT 1 FROM appointments b WHERE b.tenant_id = a.tenant_id AND b.patient_id = a.patient_id
                    AND b.created_at > a.updated_at AND b.status NOT IN ('cancelled', 'no_show')))"
        ),
        CampaignKind::Reactivation => {
            "EXISTS (SELECT 1 FROM leads l WHERE l.tenant_id = p.tenant_id AND l.patient_id = p.id AND l.stage = 'lost')"
                .to_owned()
        }
        CampaignKind::Custom => format!(
            "(($5 IS NULL AND $6 IS NULL AND $7 IS NULL) OR EXISTS (SELECT 1 FROM appointments a
                WHERE a.tenant_id = p.tenant_id AND a.patient_id = p.id AND {FILTERS}))"
        ),
    };
    format!(
        "SELECT p.id FROM patients p
         WHERE p.tenant_id = $1 AND p.id > $2
           AND NOT EXISTS (SELECT 1 FROM patient_erasures e WHERE e.tenant_id = p.tenant_id AND e.patient_id = p.id)
           AND NOT EXISTS (SELECT 1 FROM appointments f WHERE f.tenant_id = p.tenant_id AND f.patient_id = p.id
               AND f.start_at > $3 AND f.status IN ('booked', 'confirmed'))
           AND (NOT $8 OR EXISTS (SELECT 1 FROM appointments n WHERE n.tenant_id = p.tenant_id AND n.patient_id = p.id
               AND n.status = 'no_show'))
           AND ($10 IS NULL OR EXISTS (SELECT 1 FROM leads ls WHERE ls.tenant_id = p.tenant_id AND ls.patient_id = p.id
               AND ls.stage = $10))
           AND ($11 IS NULL OR EXISTS (SELECT 1 FROM leads lo WHERE lo.tenant_id = p.tenant_id AND lo.patient_id = p.id
               AND lo.source = $11))
           AND ($12 IS NULL OR EXISTS (SELECT 1 FROM patient_tags t1 WHERE t1.tenant_id = p.tenant_id AND t1.patient_id = p.id AND t1.tag = $12))
           AND ($13 IS NULL OR EXISTS (SELECT 1 FROM patient_tags t2 WHERE t2.tenant_id = p.tenant_id AND t2.patient_id = p.id AND t2.tag = $13))
           AND ($14 IS NULL OR EXISTS (SELECT 1 FROM patient_tags t3 WHERE t3.tenant_id = p.tenant_id AND t3.patient_id = p.id AND t3.tag = $14))
           AND ($15 IS NULL OR (CASE WHEN $15 = 'email' THEN p.email IS NOT NULL AND p.email <> '' ELSE TRUE END
               AND NOT EXISTS (SELECT 1 FROM consents c WHERE c.tenant_id = p.tenant_id AND c.patient_id = p.id
                   AND c.channel = $15 AND c.state = 'opted_out'
                   AND NOT EXISTS (SELECT 1 FROM consents d WHERE d.tenant_id = c.tenant_id AND d.patient_id = c.patient_id
                       AND d.channel = c.channel AND d.at > c.at))))
           AND {by_kind}
         ORDER BY p.id LIMIT $9"
    )
}

/// `CampaignStore` for a backend.
#[macro_export]
macro_rules! campaign_store {
    ($store:ty) => {
        const _: () = {
            use $crate::campaigns::{
                CAMPAIGN, CampaignRow, ENROLLMENT, ENROLLMENTS_PER_INSERT, EnrollmentRow, audience_sql, status,
            };
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, sqlx, uuid};
            use $crate::{DbTime, SqlBackend as _, db_err, exec, fetch};
            use frontdesk_domain::campaigns::{Campaign, CampaignStatus, Enrollment, EnrollmentState};
            use frontdesk_domain::jobs::NewJob;
            use frontdesk_domain::page::{Page, PageRequest};
            use frontdesk_domain::{PatientId, TenantId};
            use frontdesk_store::*;
            use jiff::Timestamp;
            use sqlx::types::Json;
            use uuid::Uuid;

            #[async_trait::async_trait]
            impl CampaignStore for $store {
                async fn insert_campaign(&self, c: &Campaign) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "INSERT INTO campaigns (id, tenant_id, name, kind, segment, steps, send_window, status, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                        c.id,
                        c.tenant_id.0,
                        &c.name,
                        c.kind.as_str(),
                        Json(&c.segment),
                        Json(&c.steps),
                        Json(&c.window),
                        status(c.status),
                        DbTime(c.created_at),
                        DbTime(c.updated_at),
                    )
                    .map(drop)
                }

                async fn get_campaign(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<Campaign>> {
                    let sql = sqlx::AssertSqlSafe(format!("{CAMPAIGN} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<CampaignRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id)?;
                    row.map(Campaign::try_from).transpose()
                }

                async fn list_campaigns(&self, tenant: TenantId, page: PageRequest) -> StoreResult<Page<Campaign>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{CAMPAIGN} WHERE tenant_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
                    ));
                    let rows: Vec<CampaignRow> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0, page.before, page.fetch_limit())?;
                    let items = rows.into_iter().map(Campaign::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(items, page, |c| c.id))
                }

                async fn move_campaign(
                    &self,
                    tenant: TenantId,
                    id: Uuid,
                    from: CampaignStatus,
                    to: CampaignStatus,
                    jobs: &[NewJob],
                    now: Timestamp,
                ) -> StoreResult<bool> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let moved = exec!(
                        &mut *tx,
                        "UPDATE campaigns SET status = $1, updated_at = $2,
                            audience_enrolled_at = CASE WHEN $1 = 'running' THEN NULL ELSE audience_enrolled_at END
                         WHERE tenant_id = $3 AND id = $4 AND status = $5",
                        status(to),
                        DbTime(now),
                        tenant.0,
                        id,
                        status(from),
                    )?;
                    if moved != 1 {
                        return Ok(false);
                    }
                    Self::insert_jobs(&mut tx, jobs, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(true)
                }

                async fn campaign_audience(
                    &self,
                    tenant: TenantId,
                    q: &AudienceQuery<'_>,
                ) -> StoreResult<Vec<PatientId>> {
                    let cutoff = q.segment.last_visit_before_days.map(|days| {
                        DbTime(q.now.checked_sub(jiff::SignedDuration::from_hours(24 * i64::from(days))).unwrap_or(q.now))
                    });
                    let sql = sqlx::AssertSqlSafe(audience_sql(q.kind));
                    let rows: Vec<(Uuid,)> = fetch!(
                        fetch_all(self.reader()),
                        sql,
                        tenant.0,
                        // The nil id sorts before every other: the first page starts there. A
                        // plain range lets the index on (tenant, id) seek to the page (an
                        // `IS NULL OR` cursor made SQLite read the tenant's patients from the
                        // start on every page).
                        q.after.map_or(Uuid::nil(), |p| p.0),
                        DbTime(q.now),
                        cutoff,
                        q.segment.service_id.map(|s| s.0),
                        q.segment.practitioner_id.map(|p| p.0),
                        q.segment.location_id.map(|l| l.0),
                        q.segment.had_no_show,
                        i64::from(q.limit),
                        q.segment.lead_stage.map(|s| s.as_str()),
                        q.segment.lead_source.map(|s| s.as_str()),
                        q.segment.tags.first().map(String::as_str),
                        q.segment.tags.get(1).map(String::as_str),
                        q.segment.tags.get(2).map(String::as_str),
                        q.segment.reachable_on.map(|c| c.as_str()),
                    )?;
                    Ok(rows.into_iter().map(|(id,)| PatientId(id)).collect())
                }

                async fn enroll(
                    &self,
                    enrollments: &[(Enrollment, NewJob)],
                    jobs: &[NewJob],
                    now: Timestamp,
                ) -> StoreResult<u64> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let mut first_steps = Vec::with_capacity(enrollments.len());
                    // One statement per chunk, not a round trip per patient: a page
                    // enrolls at the speed of a few inserts. The rows it returns are the
                    // patients enrolled now (one enrolled before keeps their enrollment and
                    // gets no second first step).
                    for chunk in enrollments.chunks(ENROLLMENTS_PER_INSERT) {
                        let mut insert = sqlx::QueryBuilder::<<$store as $crate::SqlBackend>::Db>::new(
                            "INSERT INTO campaign_enrollments (id, tenant_id, campaign_id, patient_id, state, steps_sent, \
                             last_sent_at, created_at, updated_at) ",
                        );
                        insert.push_values(chunk, |mut row, (e, _)| {
                            row.push_bind(e.id)
                                .push_bind(e.tenant_id.0)
                                .push_bind(e.campaign_id)
                                .push_bind(e.patient_id.0)
                                .push_bind(e.state.as_str())
                                .push_bind(i64::from(e.steps_sent))
                                .push_bind(e.last_sent_at.map(DbTime))
                                .push_bind(DbTime(e.created_at))
                                .push_bind(DbTime(e.updated_at));
                        });
                        insert.push(" ON CONFLICT (campaign_id, patient_id) DO NOTHING RETURNING id");
                        let added: std::collections::HashSet<Uuid> = insert
                            .build_query_scalar::<Uuid>()
                            .fetch_all(&mut *tx)
                            .await
                            .map_err(db_err)?
                            .into_iter()
                            .collect();
                        first_steps.extend(chunk.iter().filter(|(e, _)| added.contains(&e.id)).map(|(_, j)| j.clone()));
                    }
                    let added = first_steps.len() as u64;
                    first_steps.extend_from_slice(jobs);
                    Self::insert_jobs(&mut tx, &first_steps, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !first_steps.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(added)
                }

                async fn get_enrollment(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<Enrollment>> {
                    let sql = sqlx::AssertSqlSafe(format!("{ENROLLMENT} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<EnrollmentRow> = fetch!(fetch_optional(self.writer()), sql, tenant.0, id)?;
                    row.map(Enrollment::try_from).transpose()
                }

                async fn list_enrollments(
                    &self,
                    tenant: TenantId,
                    campaign: Uuid,
                    state: Option<EnrollmentState>,
                    page: PageRequest,
                ) -> StoreResult<Page<Enrollment>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{ENROLLMENT} WHERE tenant_id = $1 AND campaign_id = $2 AND ($3 IS NULL OR state = $3)
                           AND ($4 IS NULL OR id < $4) ORDER BY id DESC LIMIT $5"
                    ));
                    let rows: Vec<EnrollmentRow> = fetch!(
                        fetch_all(self.reader()),
                        sql,
                        tenant.0,
                        campaign,
                        state.map(|s| s.as_str()),
                        page.before,
                        page.fetch_limit()
                    )?;
                    let items = rows.into_iter().map(Enrollment::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(items, page, |e| e.id))
                }

                async fn advance_enrollment(
                    &self,
                    tenant: TenantId,
                    id: Uuid,
                    sent: u32,
                    jobs: &[NewJob],
                    now: Timestamp,
                ) -> StoreResult<bool> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let moved = exec!(
                        &mut *tx,
                        "UPDATE campaign_enrollments SET steps_sent = steps_sent + 1, last_sent_at = $1, updated_at = $1
                         WHERE tenant_id = $2 AND id = $3 AND state = 'active' AND steps_sent = $4",
                        DbTime(now),
                        tenant.0,
                        id,
                        i64::from(sent),
                    )?;
                    if moved != 1 {
                        return Ok(false);
                    }
                    Self::insert_jobs(&mut tx, jobs, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(true)
                }

                async fn end_enrollment(
                    &self,
                    tenant: TenantId,
                    id: Uuid,
                    state: EnrollmentState,
                    now: Timestamp,
                ) -> StoreResult<bool> {
                    let moved = exec!(
                        self.writer(),
                        "UPDATE campaign_enrollments SET state = $1, updated_at = $2
                         WHERE tenant_id = $3 AND id = $4 AND state = 'active'",
                        state.as_str(),
                        DbTime(now),
                        tenant.0,
                        id,
                    )?;
                    Ok(moved == 1)
                }

                async fn last_campaign_message_at(
                    &self,
                    tenant: TenantId,
                    patient: PatientId,
                    except: Uuid,
                ) -> StoreResult<Option<Timestamp>> {
                    let (last,): (Option<DbTime>,) = sqlx::query_as(
                        "SELECT MAX(last_sent_at) FROM campaign_enrollments
                         WHERE tenant_id = $1 AND patient_id = $2 AND campaign_id <> $3",
                    )
                    .bind(tenant.0)
                    .bind(patient.0)
                    .bind(except)
                    .fetch_one(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(last.map(|t| t.0))
                }

                async fn mark_audience_enrolled(&self, tenant: TenantId, id: Uuid, now: Timestamp) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "UPDATE campaigns SET audience_enrolled_at = $1
                         WHERE tenant_id = $2 AND id = $3 AND status = 'running' AND audience_enrolled_at IS NULL",
                        DbTime(now),
                        tenant.0,
                        id,
                    )?;
                    Ok(())
                }

                async fn complete_campaign_if_done(&self, tenant: TenantId, id: Uuid, now: Timestamp) -> StoreResult<bool> {
                    let moved = exec!(
                        self.writer(),
                        "UPDATE campaigns SET status = 'completed', updated_at = $1
                         WHERE tenant_id = $2 AND id = $3 AND status = 'running' AND audience_enrolled_at IS NOT NULL
                           AND NOT EXISTS (SELECT 1 FROM campaign_enrollments e
                                           WHERE e.tenant_id = $2 AND e.campaign_id = $3 AND e.state = 'active')",
                        DbTime(now),
                        tenant.0,
                        id,
                    )?;
                    Ok(moved == 1)
                }

                async fn active_enrollments_of(
                    &self,
                    tenant: TenantId,
                    patient: PatientId,
                ) -> StoreResult<Vec<Enrollment>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{ENROLLMENT} WHERE tenant_id = $1 AND patient_id = $2 AND state = 'active' ORDER BY id"
                    ));
                    let rows: Vec<EnrollmentRow> = fetch!(fetch_all(self.writer()), sql, tenant.0, patient.0)?;
                    rows.into_iter().map(Enrollment::try_from).collect()
                }

                async fn next_step_job(&self, tenant: TenantId, enrollment: Uuid) -> StoreResult<Option<frontdesk_domain::jobs::Job>> {
                    let prefix = format!("campaign-enrollment:{enrollment}:step:");
                    let sql = sqlx::AssertSqlSafe(format!(
                        "SELECT {} FROM jobs WHERE tenant_id = $1 AND status = 'queued' AND kind = 'campaign.step'
                           AND substr(dedupe_key, 1, $3) = $2
                         ORDER BY run_at LIMIT 1",
                        $crate::jobs::JOB_COLUMNS
                    ));
                    let len = i32::try_from(prefix.len()).unwrap_or(i32::MAX);
                    let row: Option<$crate::jobs::JobRow> =
                        fetch!(fetch_optional(self.reader()), sql, tenant.0, prefix.as_str(), len)?;
                    row.map(frontdesk_domain::jobs::Job::try_from).transpose()
                }

                async fn mark_enrollment_replied(&self, tenant: TenantId, id: Uuid, at: Timestamp) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "UPDATE campaign_enrollments SET replied_at = $3 WHERE tenant_id = $1 AND id = $2 AND replied_at IS NULL",
                        tenant.0,
                        id,
                        DbTime(at),
                    )?;
                    Ok(())
                }

                async fn campaign_results(
                    &self,
                    tenant: TenantId,
                    month_start: Timestamp,
                    ninety_days_ago: Timestamp,
                ) -> StoreResult<Vec<(Uuid, frontdesk_domain::campaigns::results::ResultCounts)>> {
                    type Row = (Uuid, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);
                    let rows: Vec<Row> = fetch!(
                        fetch_all(self.reader()),
                        "SELECT e.campaign_id, COUNT(*),
                           CAST(SUM(CASE WHEN e.steps_sent > 0 AND e.state <> 'bounced' THEN 1 ELSE 0 END) AS BIGINT),
                           CAST(SUM(CASE WHEN e.replied_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT),
                           CAST(SUM(CASE WHEN e.state = 'needs_staff' THEN 1 ELSE 0 END) AS BIGINT),
                           CAST(SUM(CASE WHEN e.state = 'booked' THEN 1 ELSE 0 END) AS BIGINT),
                           CAST(SUM(CASE WHEN e.state = 'booked' THEN
                               (SELECT COALESCE(SUM(s.price_cents), 0) FROM appointments a
                                  JOIN services s ON s.tenant_id = a.tenant_id AND s.id = a.service_id
                                 WHERE a.tenant_id = e.tenant_id AND a.patient_id = e.patient_id
                                   AND a.created_at >= e.created_at
                                   AND a.status IN ('booked', 'confirmed', 'checked_in', 'completed'))
                             ELSE 0 END) AS BIGINT),
                           CAST(SUM(CASE WHEN e.created_at >= $2 THEN 1 ELSE 0 END) AS BIGINT),
                           CAST(SUM(CASE WHEN e.created_at >= $2 AND e.state = 'booked' THEN 1 ELSE 0 END) AS BIGINT),
                           CAST(SUM(CASE WHEN e.created_at >= $3 THEN 1 ELSE 0 END) AS BIGINT),
                           CAST(SUM(CASE WHEN e.created_at >= $3 AND e.state = 'booked' THEN 1 ELSE 0 END) AS BIGINT)
                         FROM campaign_enrollments e WHERE e.tenant_id = $1 GROUP BY e.campaign_id",
                        tenant.0,
                        DbTime(month_start),
                        DbTime(ninety_days_ago)
                    )?;
                    let n = |v: i64| u64::try_from(v).unwrap_or(0);
                    Ok(rows
                        .into_iter()
                        .map(|r| {
                            (r.0, frontdesk_domain::campaigns::results::ResultCounts {
                                enrolled: n(r.1),
                                reached: n(r.2),
                                engaged: n(r.3),
                                handed_off: n(r.4),
                                booked: n(r.5),
                                recovered_revenue_cents: r.6,
                                enrolled_this_month: n(r.7),
                                booked_this_month: n(r.8),
                                enrolled_last_90_days: n(r.9),
                                booked_last_90_days: n(r.10),
                            })
                        })
                        .collect())
                }

                async fn enrollment_counts(&self, tenant: TenantId, campaign: Uuid) -> StoreResult<EnrollmentCounts> {
                    let rows: Vec<(String, i64, Option<i64>)> = fetch!(
                        fetch_all(self.reader()),
                        "SELECT state, COUNT(*), CAST(SUM(steps_sent) AS BIGINT) FROM campaign_enrollments
                         WHERE tenant_id = $1 AND campaign_id = $2 GROUP BY state",
                        tenant.0,
                        campaign
                    )?;
                    let mut counts = EnrollmentCounts::default();
                    for (state, n, steps) in rows {
                        let state = state.parse::<EnrollmentState>().map_err(|_| StoreError::corrupt("enrollment state"))?;
                        counts.by_state.push((state, u64::try_from(n).unwrap_or(0)));
                        counts.steps_sent += u64::try_from(steps.unwrap_or(0)).unwrap_or(0);
                    }
                    Ok(counts)
                }
            }
        };
    };
}
