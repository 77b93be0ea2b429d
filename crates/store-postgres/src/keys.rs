use crate::convert::{db_err, from_opt_ts, from_ts, ts};
use crate::{PgStore, convert};
use async_trait::async_trait;
use frontdesk_domain::api_key::KeyHash;
use frontdesk_domain::{ApiKeyId, TenantId};
use frontdesk_store::{ApiKeyRecord, ApiKeyStore, NewApiKey, StoreError, StoreResult};
use jiff::Timestamp;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: Uuid,
    tenant_id: Uuid,
    prefix: String,
    name: String,
    key_hash: String,
    created_at: time::OffsetDateTime,
    revoked_at: Option<time::OffsetDateTime>,
}

impl TryFrom<KeyRow> for ApiKeyRecord {
    type Error = StoreError;
    fn try_from(r: KeyRow) -> Result<Self, StoreError> {
        Ok(ApiKeyRecord {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            hash: KeyHash::from_hex(&r.key_hash).ok_or_else(|| StoreError::corrupt("api key hash"))?,
            prefix: r.prefix,
            name: r.name,
            created_at: from_ts(r.created_at)?,
            revoked_at: from_opt_ts(r.revoked_at)?,
        })
    }
}

macro_rules! select {
    ($tail:literal) => {
        concat!("SELECT id, tenant_id, prefix, name, key_hash, created_at, revoked_at FROM api_keys ", $tail)
    };
}

#[async_trait]
impl ApiKeyStore for PgStore {
    async fn create_api_key(&self, key: &NewApiKey, now: Timestamp) -> StoreResult<ApiKeyRecord> {
        let id = ApiKeyId::new();
        sqlx::query("INSERT INTO api_keys (id, tenant_id, prefix, key_hash, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id.0)
            .bind(key.tenant_id.0)
            .bind(&key.prefix)
            .bind(key.hash.to_hex())
            .bind(&key.name)
            .bind(ts(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(ApiKeyRecord {
            id,
            tenant_id: key.tenant_id,
            prefix: key.prefix.clone(),
            name: key.name.clone(),
            hash: key.hash,
            created_at: convert::truncate(now),
            revoked_at: None,
        })
    }

    async fn api_key_by_prefix(&self, prefix: &str) -> StoreResult<Option<ApiKeyRecord>> {
        let row: Option<KeyRow> = sqlx::query_as(select!("WHERE prefix = $1"))
            .bind(prefix)
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.map(ApiKeyRecord::try_from).transpose()
    }

    async fn revoke_api_key(&self, tenant: TenantId, prefix: &str, now: Timestamp) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE tenant_id = $2 AND prefix = $3",
        )
        .bind(ts(now))
        .bind(tenant.0)
        .bind(prefix)
        .execute(&self.pool)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn list_api_keys(&self, tenant: TenantId) -> StoreResult<Vec<ApiKeyRecord>> {
        let rows: Vec<KeyRow> = sqlx::query_as(select!("WHERE tenant_id = $1 ORDER BY id"))
            .bind(tenant.0)
            .fetch_all(&self.pool)
            .await
            .map_err(db_err)?;
        rows.into_iter().map(ApiKeyRecord::try_from).collect()
    }
}
