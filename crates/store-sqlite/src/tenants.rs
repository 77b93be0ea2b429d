use crate::SqliteStore;
use crate::convert::{db_err, from_ts, ts};
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::tenant::{Locale, NewTenant, Tenant, TenantSlug, TimeZoneName};
use frontdesk_store::{StoreError, StoreResult, TenantStore};
use jiff::Timestamp;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct TenantRow {
    id: Uuid,
    slug: String,
    name: String,
    timezone: String,
    locale: String,
    created_at: i64,
}

impl TryFrom<TenantRow> for Tenant {
    type Error = StoreError;
    fn try_from(r: TenantRow) -> Result<Self, StoreError> {
        let bad = |e: frontdesk_domain::tenant::TenantError| StoreError::corrupt(e.to_string());
        Ok(Tenant {
            id: r.id.into(),
            slug: TenantSlug::parse(&r.slug).map_err(bad)?,
            name: r.name,
            timezone: TimeZoneName::parse(&r.timezone).map_err(bad)?,
            locale: Locale::parse(&r.locale).map_err(bad)?,
            created_at: from_ts(r.created_at)?,
        })
    }
}

/// A tenant query with its column list, as a `&'static str` (sqlx accepts no runtime strings).
macro_rules! select {
    ($tail:literal) => {
        concat!("SELECT id, slug, name, timezone, locale, created_at FROM tenants ", $tail)
    };
}

#[async_trait]
impl TenantStore for SqliteStore {
    async fn create_tenant(&self, new: &NewTenant, now: Timestamp) -> StoreResult<Tenant> {
        let id = TenantId::new();
        sqlx::query(
            "INSERT INTO tenants (id, slug, name, timezone, locale, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id.0)
        .bind(new.slug.as_str())
        .bind(&new.name)
        .bind(new.timezone.as_str())
        .bind(new.locale.as_str())
        .bind(ts(now))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(Tenant {
            id,
            slug: new.slug.clone(),
            name: new.name.clone(),
            timezone: new.timezone.clone(),
            locale: new.locale,
            created_at: from_ts(ts(now))?,
        })
    }

    async fn tenant_by_slug(&self, slug: &str) -> StoreResult<Option<Tenant>> {
        let row: Option<TenantRow> = sqlx::query_as(select!("WHERE slug = ?"))
            .bind(slug)
            .fetch_optional(&self.reader)
            .await
            .map_err(db_err)?;
        row.map(Tenant::try_from).transpose()
    }

    async fn tenant_by_id(&self, id: TenantId) -> StoreResult<Option<Tenant>> {
        let row: Option<TenantRow> = sqlx::query_as(select!("WHERE id = ?"))
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(db_err)?;
        row.map(Tenant::try_from).transpose()
    }

    async fn list_tenants(&self) -> StoreResult<Vec<Tenant>> {
        let rows: Vec<TenantRow> =
            sqlx::query_as(select!("ORDER BY slug")).fetch_all(&self.reader).await.map_err(db_err)?;
        rows.into_iter().map(Tenant::try_from).collect()
    }

    async fn update_tenant(&self, tenant: &Tenant) -> StoreResult<()> {
        let done = sqlx::query("UPDATE tenants SET name = ?, timezone = ?, locale = ? WHERE id = ?")
            .bind(&tenant.name)
            .bind(tenant.timezone.as_str())
            .bind(tenant.locale.as_str())
            .bind(tenant.id.0)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
