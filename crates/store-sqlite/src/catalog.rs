//! Locations, practitioners, services, weekly hours and exceptions. Structured values
//! (location lists, intervals, exception kinds) are JSON: always read and written whole.

use crate::SqliteStore;
use crate::convert::db_err;
use async_trait::async_trait;
use frontdesk_domain::TenantId;
use frontdesk_domain::scheduling::{Location, Practitioner, Service, WeeklyHours};
use frontdesk_domain::tenant::TimeZoneName;
use frontdesk_store::{CatalogStore, ExceptionRecord, StoreError, StoreResult};
use serde::de::DeserializeOwned;
use uuid::Uuid;

pub(crate) fn json<T: serde::Serialize>(value: &T) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::corrupt(format!("encode: {e}")))
}

pub(crate) fn unjson<T: DeserializeOwned>(raw: &str, what: &str) -> StoreResult<T> {
    serde_json::from_str(raw).map_err(|e| StoreError::corrupt(format!("{what}: {e}")))
}

fn not_found_if_none(rows: u64) -> StoreResult<()> {
    if rows == 0 { Err(StoreError::NotFound) } else { Ok(()) }
}

#[async_trait]
impl CatalogStore for SqliteStore {
    async fn create_location(&self, l: &Location) -> StoreResult<()> {
        sqlx::query("INSERT INTO locations (id, tenant_id, name, address, timezone) VALUES (?, ?, ?, ?, ?)")
            .bind(l.id.0)
            .bind(l.tenant_id.0)
            .bind(&l.name)
            .bind(&l.address)
            .bind(l.timezone.as_str())
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn list_locations(&self, tenant: TenantId) -> StoreResult<Vec<Location>> {
        let rows: Vec<(Uuid, String, Option<String>, String)> = sqlx::query_as(
            "SELECT id, name, address, timezone FROM locations WHERE tenant_id = ? ORDER BY id",
        )
        .bind(tenant.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(id, name, address, tz)| {
                Ok(Location {
                    id: id.into(),
                    tenant_id: tenant,
                    name,
                    address,
                    timezone: TimeZoneName::parse(&tz).map_err(|e| StoreError::corrupt(e.to_string()))?,
                })
            })
            .collect()
    }

    async fn create_practitioner(&self, p: &Practitioner) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO practitioners (id, tenant_id, name, department, location_ids, active) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(p.id.0)
        .bind(p.tenant_id.0)
        .bind(&p.name)
        .bind(&p.department)
        .bind(json(&p.location_ids)?)
        .bind(p.active)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn update_practitioner(&self, p: &Practitioner) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE practitioners SET name = ?, department = ?, location_ids = ?, active = ? WHERE tenant_id = ? AND id = ?",
        )
        .bind(&p.name)
        .bind(&p.department)
        .bind(json(&p.location_ids)?)
        .bind(p.active)
        .bind(p.tenant_id.0)
        .bind(p.id.0)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        not_found_if_none(done.rows_affected())
    }

    async fn list_practitioners(&self, tenant: TenantId) -> StoreResult<Vec<Practitioner>> {
        let rows: Vec<(Uuid, String, String, String, bool)> = sqlx::query_as(
            "SELECT id, name, department, location_ids, active FROM practitioners WHERE tenant_id = ? ORDER BY id",
        )
        .bind(tenant.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(id, name, department, locations, active)| {
                Ok(Practitioner {
                    id: id.into(),
                    tenant_id: tenant,
                    name,
                    department,
                    location_ids: unjson(&locations, "practitioner locations")?,
                    active,
                })
            })
            .collect()
    }

    async fn create_service(&self, s: &Service) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO services (id, tenant_id, name, department, duration_minutes, price_cents) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(s.id.0)
        .bind(s.tenant_id.0)
        .bind(&s.name)
        .bind(&s.department)
        .bind(i64::from(s.duration_minutes))
        .bind(s.price_cents)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_services(&self, tenant: TenantId) -> StoreResult<Vec<Service>> {
        let rows: Vec<(Uuid, String, String, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, name, department, duration_minutes, price_cents FROM services WHERE tenant_id = ? ORDER BY id",
        )
        .bind(tenant.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(id, name, department, minutes, price_cents)| {
                Ok(Service {
                    id: id.into(),
                    tenant_id: tenant,
                    name,
                    department,
                    duration_minutes: u32::try_from(minutes).map_err(|_| StoreError::corrupt("duration"))?,
                    price_cents,
                })
            })
            .collect()
    }

    async fn set_weekly_hours(&self, tenant: TenantId, hours: &WeeklyHours) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO weekly_hours (tenant_id, practitioner_id, location_id, intervals) VALUES (?, ?, ?, ?)
             ON CONFLICT (tenant_id, practitioner_id, location_id) DO UPDATE SET intervals = excluded.intervals",
        )
        .bind(tenant.0)
        .bind(hours.practitioner_id.0)
        .bind(hours.location_id.0)
        .bind(json(&hours.intervals)?)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn list_weekly_hours(&self, tenant: TenantId) -> StoreResult<Vec<WeeklyHours>> {
        let rows: Vec<(Uuid, Uuid, String)> = sqlx::query_as(
            "SELECT practitioner_id, location_id, intervals FROM weekly_hours WHERE tenant_id = ?
             ORDER BY practitioner_id, location_id",
        )
        .bind(tenant.0)
        .fetch_all(&self.reader)
        .await
        .map_err(db_err)?;
        rows.into_iter()
            .map(|(p, l, intervals)| {
                Ok(WeeklyHours {
                    practitioner_id: p.into(),
                    location_id: l.into(),
                    intervals: unjson(&intervals, "weekly hours")?,
                })
            })
            .collect()
    }

    async fn add_exception(&self, tenant: TenantId, e: &ExceptionRecord) -> StoreResult<()> {
        sqlx::query("INSERT INTO schedule_exceptions (id, tenant_id, body) VALUES (?, ?, ?)")
            .bind(e.id)
            .bind(tenant.0)
            .bind(json(&e.exception)?)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn list_exceptions(&self, tenant: TenantId) -> StoreResult<Vec<ExceptionRecord>> {
        let rows: Vec<(Uuid, String)> =
            sqlx::query_as("SELECT id, body FROM schedule_exceptions WHERE tenant_id = ? ORDER BY id")
                .bind(tenant.0)
                .fetch_all(&self.reader)
                .await
                .map_err(db_err)?;
        rows.into_iter()
            .map(|(id, body)| Ok(ExceptionRecord { id, exception: unjson(&body, "exception")? }))
            .collect()
    }

    async fn calendar_version(&self, tenant: TenantId) -> StoreResult<i64> {
        let v: Option<i64> = sqlx::query_scalar("SELECT version FROM calendar_versions WHERE tenant_id = ?")
            .bind(tenant.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(db_err)?;
        Ok(v.unwrap_or(0))
    }

    async fn delete_exception(&self, tenant: TenantId, id: Uuid) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM schedule_exceptions WHERE tenant_id = ? AND id = ?")
            .bind(tenant.0)
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        not_found_if_none(done.rows_affected())
    }
}
