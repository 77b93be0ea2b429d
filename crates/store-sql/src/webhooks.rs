//! Outbound webhook subscriptions and their delivery log.
//!
//! The signing secrets (`secret`, `previous_secret`) are sealed at rest with the store's key
//! ring like the other secrets (`frontdesk_store::at_rest`), bound to their tenant,
//! subscription and column. Rows written before that hold plaintext `whsec_...` values: they
//! are read as they are and sealed on their next save or by `frontdesk secrets rotate`.

use crate::DbTime;
use frontdesk_domain::webhooks::{
    DeliveryState, EventType, WebhookDelivery, WebhookSecret, WebhookSubscription,
};
use frontdesk_store::StoreError;
use frontdesk_store::at_rest::KeyRing;
use uuid::Uuid;

pub const SUBSCRIPTION: &str =
    "SELECT id, tenant_id, url, event_types, description, enabled, secret, previous_secret,
    previous_expires_at, created_at, updated_at FROM webhook_subscriptions ";

pub const DELIVERY: &str =
    "SELECT id, tenant_id, subscription_id, fact_id, event_type, body, state, attempts,
    last_status, last_error, next_attempt_at, created_at, updated_at FROM webhook_deliveries ";

/// Event types are stored as one comma-separated text column.
pub fn event_list(events: &[EventType]) -> String {
    events.iter().map(|e| e.as_str()).collect::<Vec<_>>().join(",")
}

#[derive(sqlx::FromRow)]
pub struct SubscriptionRow {
    id: Uuid,
    tenant_id: Uuid,
    url: String,
    event_types: String,
    description: Option<String>,
    enabled: bool,
    secret: String,
    previous_secret: Option<String>,
    previous_expires_at: Option<DbTime>,
    created_at: DbTime,
    updated_at: DbTime,
}

/// The secret columns of `webhook_subscriptions`, sealed and counted one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretColumn {
    Secret,
    Previous,
}

impl SecretColumn {
    pub fn name(self) -> &'static str {
        match self {
            Self::Secret => "secret",
            Self::Previous => "previous_secret",
        }
    }
}

/// The associated data binding a signing secret to its tenant, subscription and column, so
/// a value copied into another row (or from `previous_secret` into `secret`) does not open.
pub fn secret_context(tenant: Uuid, subscription: Uuid, column: SecretColumn) -> String {
    format!("webhook_subscriptions.{}:{tenant}:{subscription}", column.name())
}

/// Where a stored secret lives, as error messages and `secrets status` name it.
pub fn secret_place(subscription: Uuid, column: SecretColumn) -> String {
    format!("the {} of webhook subscription {subscription}", column.name())
}

/// A signing secret as it is stored: sealed with the ring's current key.
pub fn seal_secret(ring: &KeyRing, s: &WebhookSubscription, column: SecretColumn) -> Option<String> {
    let plain = match column {
        SecretColumn::Secret => Some(&s.secret),
        SecretColumn::Previous => s.previous_secret.as_ref(),
    }?;
    Some(ring.seal(plain.expose(), &secret_context(s.tenant_id.0, s.id, column)))
}

/// A stored signing secret opened (a plaintext one from before sealing read as it is).
pub fn open_secret(
    ring: &KeyRing,
    stored: &str,
    tenant: Uuid,
    subscription: Uuid,
    column: SecretColumn,
) -> Result<String, StoreError> {
    ring.open(stored, &secret_context(tenant, subscription, column))
        .map_err(|e| StoreError::corrupt(format!("{}: {e}", secret_place(subscription, column))))
}

fn secret(
    ring: &KeyRing,
    stored: &str,
    tenant: Uuid,
    subscription: Uuid,
    column: SecretColumn,
) -> Result<WebhookSecret, StoreError> {
    let plain = open_secret(ring, stored, tenant, subscription, column)?;
    WebhookSecret::parse(&plain).map_err(|_| {
        StoreError::corrupt(format!("{}: not a webhook secret", secret_place(subscription, column)))
    })
}

impl SubscriptionRow {
    /// The subscription, its signing secrets opened with `ring`.
    pub fn into_subscription(self, ring: &KeyRing) -> Result<WebhookSubscription, StoreError> {
        let r = self;
        let event_types = r
            .event_types
            .split(',')
            .filter(|e| !e.is_empty())
            .map(|e| EventType::parse(e).ok_or_else(|| StoreError::corrupt(format!("webhook event {e:?}"))))
            .collect::<Result<_, _>>()?;
        Ok(WebhookSubscription {
            id: r.id,
            tenant_id: r.tenant_id.into(),
            url: r.url,
            event_types,
            description: r.description,
            enabled: r.enabled,
            secret: secret(ring, &r.secret, r.tenant_id, r.id, SecretColumn::Secret)?,
            previous_secret: r
                .previous_secret
                .as_deref()
                .map(|p| secret(ring, p, r.tenant_id, r.id, SecretColumn::Previous))
                .transpose()?,
            previous_expires_at: r.previous_expires_at.map(|t| t.0),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

#[derive(sqlx::FromRow)]
pub struct DeliveryRow {
    id: Uuid,
    tenant_id: Uuid,
    subscription_id: Uuid,
    fact_id: String,
    event_type: String,
    body: String,
    state: String,
    attempts: i64,
    last_status: Option<i64>,
    last_error: Option<String>,
    next_attempt_at: Option<DbTime>,
    created_at: DbTime,
    updated_at: DbTime,
}

impl TryFrom<DeliveryRow> for WebhookDelivery {
    type Error = StoreError;
    fn try_from(r: DeliveryRow) -> Result<Self, StoreError> {
        Ok(WebhookDelivery {
            id: r.id,
            tenant_id: r.tenant_id.into(),
            subscription_id: r.subscription_id,
            fact_id: r.fact_id,
            event_type: EventType::parse(&r.event_type)
                .ok_or_else(|| StoreError::corrupt("webhook event"))?,
            body: r.body,
            state: DeliveryState::parse(&r.state)
                .ok_or_else(|| StoreError::corrupt("webhook delivery state"))?,
            attempts: r.attempts.clamp(0, i64::from(u32::MAX)) as u32,
            last_status: r.last_status.and_then(|s| u16::try_from(s).ok()),
            last_error: r.last_error,
            next_attempt_at: r.next_attempt_at.map(|t| t.0),
            created_at: r.created_at.0,
            updated_at: r.updated_at.0,
        })
    }
}

/// `WebhookStore` for a backend.
#[macro_export]
macro_rules! webhook_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, jiff, sqlx, uuid};
            use $crate::webhooks::{
                DELIVERY, DeliveryRow, SUBSCRIPTION, SecretColumn, SubscriptionRow, event_list, seal_secret,
            };
            use $crate::{DbTime, SqlBackend as _, db_err, exec, fetch, found};
            use frontdesk_domain::TenantId;
            use frontdesk_domain::jobs::NewJob;
            use frontdesk_domain::webhooks::{WebhookDelivery, WebhookSubscription};
            use frontdesk_store::*;
            use jiff::Timestamp;
            use uuid::Uuid;

            #[async_trait::async_trait]
            impl WebhookStore for $store {
                async fn create_webhook_subscription(&self, s: &WebhookSubscription) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "INSERT INTO webhook_subscriptions (id, tenant_id, url, event_types, description, enabled, secret,
                             previous_secret, previous_expires_at, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                        s.id,
                        s.tenant_id.0,
                        &s.url,
                        event_list(&s.event_types),
                        s.description.as_deref(),
                        s.enabled,
                        seal_secret(self.key_ring(), s, SecretColumn::Secret),
                        seal_secret(self.key_ring(), s, SecretColumn::Previous),
                        s.previous_expires_at.map(DbTime),
                        DbTime(s.created_at),
                        DbTime(s.updated_at),
                    )
                    .map(drop)
                }

                async fn get_webhook_subscription(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<WebhookSubscription>> {
                    let sql = sqlx::AssertSqlSafe(format!("{SUBSCRIPTION} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<SubscriptionRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id)?;
                    row.map(|r| r.into_subscription(self.key_ring())).transpose()
                }

                async fn list_webhook_subscriptions(&self, tenant: TenantId) -> StoreResult<Vec<WebhookSubscription>> {
                    let sql = sqlx::AssertSqlSafe(format!("{SUBSCRIPTION} WHERE tenant_id = $1 ORDER BY created_at, id"));
                    let rows: Vec<SubscriptionRow> = fetch!(fetch_all(self.reader()), sql, tenant.0)?;
                    rows.into_iter().map(|r| r.into_subscription(self.key_ring())).collect()
                }

                async fn save_webhook_subscription(&self, s: &WebhookSubscription) -> StoreResult<()> {
                    found(exec!(
                        self.writer(),
                        "UPDATE webhook_subscriptions SET url = $1, event_types = $2, description = $3, enabled = $4,
                             secret = $5, previous_secret = $6, previous_expires_at = $7, updated_at = $8
                         WHERE tenant_id = $9 AND id = $10",
                        &s.url,
                        event_list(&s.event_types),
                        s.description.as_deref(),
                        s.enabled,
                        seal_secret(self.key_ring(), s, SecretColumn::Secret),
                        seal_secret(self.key_ring(), s, SecretColumn::Previous),
                        s.previous_expires_at.map(DbTime),
                        DbTime(s.updated_at),
                        s.tenant_id.0,
                        s.id,
                    )?)
                }

                async fn delete_webhook_subscription(&self, tenant: TenantId, id: Uuid) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    exec!(&mut *tx, "DELETE FROM webhook_deliveries WHERE tenant_id = $1 AND subscription_id = $2", tenant.0, id)?;
                    let gone = exec!(&mut *tx, "DELETE FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2", tenant.0, id)?;
                    found(gone)?;
                    tx.commit().await.map_err(db_err)
                }

                async fn file_webhook_deliveries(&self, new: &[(WebhookDelivery, NewJob)], now: Timestamp) -> StoreResult<u64> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let mut jobs = Vec::new();
                    for (d, job) in new {
                        let filed = exec!(
                            &mut *tx,
                            "INSERT INTO webhook_deliveries (id, tenant_id, subscription_id, fact_id, event_type, body, state,
                                 attempts, last_status, last_error, next_attempt_at, created_at, updated_at)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING",
                            d.id,
                            d.tenant_id.0,
                            d.subscription_id,
                            &d.fact_id,
                            d.event_type.as_str(),
                            &d.body,
                            d.state.as_str(),
                            i64::from(d.attempts),
                            d.last_status.map(i64::from),
                            d.last_error.as_deref(),
                            d.next_attempt_at.map(DbTime),
                            DbTime(d.created_at),
                            DbTime(d.updated_at),
                        )?;
                        if filed == 1 {
                            jobs.push(job.clone());
                        }
                    }
                    Self::insert_jobs(&mut tx, &jobs, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(jobs.len() as u64)
                }

                async fn get_webhook_delivery(&self, tenant: TenantId, id: Uuid) -> StoreResult<Option<WebhookDelivery>> {
                    let sql = sqlx::AssertSqlSafe(format!("{DELIVERY} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<DeliveryRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id)?;
                    row.map(WebhookDelivery::try_from).transpose()
                }

                async fn list_webhook_deliveries(&self, tenant: TenantId, filter: &DeliveryFilter) -> StoreResult<Vec<WebhookDelivery>> {
                    // Absent filters are bound as NULL and match everything.
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{DELIVERY} WHERE tenant_id = $1 AND ($2 IS NULL OR state = $2) AND ($3 IS NULL OR subscription_id = $3)
                         ORDER BY created_at DESC, id DESC LIMIT $4"
                    ));
                    let rows: Vec<DeliveryRow> = fetch!(
                        fetch_all(self.reader()),
                        sql,
                        tenant.0,
                        filter.state.map(|s| s.as_str()),
                        filter.subscription,
                        i64::from(filter.limit.clamp(1, 200)),
                    )?;
                    rows.into_iter().map(WebhookDelivery::try_from).collect()
                }

                async fn save_webhook_delivery(&self, d: &WebhookDelivery, next: Option<&NewJob>, now: Timestamp) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    let saved = exec!(
                        &mut *tx,
                        "UPDATE webhook_deliveries SET state = $1, attempts = $2, last_status = $3, last_error = $4,
                             next_attempt_at = $5, updated_at = $6
                         WHERE tenant_id = $7 AND id = $8",
                        d.state.as_str(),
                        i64::from(d.attempts),
                        d.last_status.map(i64::from),
                        d.last_error.as_deref(),
                        d.next_attempt_at.map(DbTime),
                        DbTime(d.updated_at),
                        d.tenant_id.0,
                        d.id,
                    )?;
                    found(saved)?;
                    let jobs: Vec<NewJob> = next.into_iter().cloned().collect();
                    Self::insert_jobs(&mut tx, &jobs, now).await?;
                    tx.commit().await.map_err(db_err)?;
                    if !jobs.is_empty() {
                        self.jobs_committed();
                    }
                    Ok(())
                }
            }
        };
    };
}
