//! The calendar's catalog (locations, practitioners, services, weekly hours, exceptions)
//! and patients. Structured values (location lists, intervals, exception kinds) are JSON,
//! always read and written whole.

use crate::{DbDate, DbTime};
use frontdesk_domain::contact::{Email, PersonName, PhoneE164};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::tenant::Locale;
use frontdesk_store::StoreError;
use uuid::Uuid;

#[derive(sqlx::FromRow)]
pub struct PatientRow {
    id: Uuid,
    tenant_id: Uuid,
    name: String,
    phone: String,
    email: Option<String>,
    birth_date: Option<DbDate>,
    locale: String,
    external_id: Option<String>,
    created_at: DbTime,
    pub version: i64,
}

impl TryFrom<PatientRow> for Patient {
    type Error = StoreError;
    fn try_from(r: PatientRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::corrupt(format!("patient {what}"));
        Ok(Patient {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            name: PersonName::parse(&r.name).map_err(|_| bad("name"))?,
            phone: PhoneE164::from_stored(r.phone).map_err(|_| bad("phone"))?,
            email: r.email.map(Email::try_from).transpose().map_err(|_| bad("email"))?,
            birth_date: r.birth_date.map(|d| d.0),
            locale: Locale::parse(&r.locale).map_err(|_| bad("locale"))?,
            external_id: r.external_id,
            created_at: r.created_at.0,
        })
    }
}

pub const PATIENT: &str = "SELECT id, tenant_id, name, phone, email, birth_date, locale, external_id, created_at, version FROM patients ";

/// Implements `CatalogStore` and `PatientStore` for a backend.
#[macro_export]
macro_rules! catalog_store {
    ($store:ty) => {
        const _: () = {
            use $crate::deps::{async_trait, frontdesk_domain, frontdesk_store, serde_json, sqlx, uuid};
            use $crate::catalog::{PATIENT, PatientRow};
            use $crate::{DbDate, DbTime, SqlBackend as _, db_err, exec, fetch, found};
            use frontdesk_domain::contact::PhoneE164;
            use frontdesk_domain::page::{Page, PageRequest};
            use frontdesk_domain::patients::Patient;
            use frontdesk_domain::scheduling::{Location, Practitioner, Service, WeeklyHours};
            use frontdesk_domain::tenant::TimeZoneName;
            use frontdesk_domain::{PatientId, TenantId};
            use frontdesk_store::*;
            use sqlx::types::Json;
            use uuid::Uuid;

            #[async_trait::async_trait]
            impl CatalogStore for $store {
                async fn create_location(&self, l: &Location) -> StoreResult<()> {
                    let sql = "INSERT INTO locations (id, tenant_id, name, address, timezone) VALUES ($1, $2, $3, $4, $5)";
                    exec!(self.writer(), sql, l.id.0, l.tenant_id.0, &l.name, &l.address, l.timezone.as_str()).map(drop)
                }

                async fn update_location(&self, l: &Location) -> StoreResult<()> {
                    let sql = "UPDATE locations SET name = $1, address = $2, timezone = $3 WHERE tenant_id = $4 AND id = $5";
                    found(exec!(self.writer(), sql, &l.name, &l.address, l.timezone.as_str(), l.tenant_id.0, l.id.0)?)
                }

                async fn list_locations(&self, tenant: TenantId) -> StoreResult<Vec<Location>> {
                    let sql = "SELECT id, name, address, timezone FROM locations WHERE tenant_id = $1 ORDER BY id";
                    let rows: Vec<(Uuid, String, Option<String>, String)> = fetch!(fetch_all(self.reader()), sql, tenant.0)?;
                    let location = |(id, name, address, tz): (Uuid, String, Option<String>, String)| {
                        let timezone = TimeZoneName::parse(&tz).map_err(|e| StoreError::corrupt(e.to_string()))?;
                        Ok(Location { id: id.into(), tenant_id: tenant, name, address, timezone })
                    };
                    rows.into_iter().map(location).collect()
                }

                async fn create_practitioner(&self, p: &Practitioner) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO practitioners (id, tenant_id, name, department, location_ids, active)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(p.id.0)
                    .bind(p.tenant_id.0)
                    .bind(&p.name)
                    .bind(&p.department)
                    .bind(Json(&p.location_ids))
                    .bind(p.active)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn update_practitioner(&self, p: &Practitioner) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE practitioners SET name = $1, department = $2, location_ids = $3, active = $4
                         WHERE tenant_id = $5 AND id = $6",
                    )
                    .bind(&p.name)
                    .bind(&p.department)
                    .bind(Json(&p.location_ids))
                    .bind(p.active)
                    .bind(p.tenant_id.0)
                    .bind(p.id.0)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    found(done.rows_affected())
                }

                async fn list_practitioners(&self, tenant: TenantId) -> StoreResult<Vec<Practitioner>> {
                    let sql = "SELECT id, name, department, location_ids, active FROM practitioners WHERE tenant_id = $1 ORDER BY id";
                    let rows: Vec<(Uuid, String, String, Json<Vec<frontdesk_domain::LocationId>>, bool)> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0)?;
                    let practitioner = |(id, name, department, locations, active): (Uuid, _, _, Json<_>, _)| {
                        Practitioner { id: id.into(), tenant_id: tenant, name, department, location_ids: locations.0, active }
                    };
                    Ok(rows.into_iter().map(practitioner).collect())
                }

                async fn update_service(&self, s: &Service) -> StoreResult<()> {
                    let done = sqlx::query(
                        "UPDATE services SET name = $1, department = $2, duration_minutes = $3, price_cents = $4
                         WHERE tenant_id = $5 AND id = $6",
                    )
                    .bind(&s.name)
                    .bind(&s.department)
                    .bind(i32::try_from(s.duration_minutes).unwrap_or(i32::MAX))
                    .bind(s.price_cents)
                    .bind(s.tenant_id.0)
                    .bind(s.id.0)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    found(done.rows_affected())
                }

                async fn create_service(&self, s: &Service) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO services (id, tenant_id, name, department, duration_minutes, price_cents)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(s.id.0)
                    .bind(s.tenant_id.0)
                    .bind(&s.name)
                    .bind(&s.department)
                    .bind(i32::try_from(s.duration_minutes).unwrap_or(i32::MAX))
                    .bind(s.price_cents)
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn list_services(&self, tenant: TenantId) -> StoreResult<Vec<Service>> {
                    let sql = "SELECT id, name, department, duration_minutes, price_cents FROM services WHERE tenant_id = $1 ORDER BY id";
                    let rows: Vec<(Uuid, String, String, i32, Option<i64>)> = fetch!(fetch_all(self.reader()), sql, tenant.0)?;
                    let service = |(id, name, department, minutes, price_cents): (Uuid, _, _, i32, _)| {
                        let duration_minutes = u32::try_from(minutes).map_err(|_| StoreError::corrupt("duration"))?;
                        Ok(Service { id: id.into(), tenant_id: tenant, name, department, duration_minutes, price_cents })
                    };
                    rows.into_iter().map(service).collect()
                }

                async fn set_weekly_hours(&self, tenant: TenantId, hours: &WeeklyHours) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO weekly_hours (tenant_id, practitioner_id, location_id, intervals) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (tenant_id, practitioner_id, location_id) DO UPDATE SET intervals = excluded.intervals",
                    )
                    .bind(tenant.0)
                    .bind(hours.practitioner_id.0)
                    .bind(hours.location_id.0)
                    .bind(Json(&hours.intervals))
                    .execute(self.writer())
                    .await
                    .map_err(db_err)?;
                    Ok(())
                }

                async fn list_weekly_hours(&self, tenant: TenantId) -> StoreResult<Vec<WeeklyHours>> {
                    let sql = "SELECT practitioner_id, location_id, intervals FROM weekly_hours WHERE tenant_id = $1
                         ORDER BY practitioner_id, location_id";
                    let rows: Vec<(Uuid, Uuid, Json<_>)> = fetch!(fetch_all(self.reader()), sql, tenant.0)?;
                    let hours = |(p, l, intervals): (Uuid, Uuid, Json<_>)| {
                        WeeklyHours { practitioner_id: p.into(), location_id: l.into(), intervals: intervals.0 }
                    };
                    Ok(rows.into_iter().map(hours).collect())
                }

                async fn add_exception(&self, tenant: TenantId, e: &ExceptionRecord) -> StoreResult<()> {
                    let sql = "INSERT INTO schedule_exceptions (id, tenant_id, body) VALUES ($1, $2, $3)";
                    exec!(self.writer(), sql, e.id, tenant.0, Json(&e.exception)).map(drop)
                }

                async fn list_exceptions(&self, tenant: TenantId) -> StoreResult<Vec<ExceptionRecord>> {
                    let sql = "SELECT id, body FROM schedule_exceptions WHERE tenant_id = $1 ORDER BY id";
                    let rows: Vec<(Uuid, Json<_>)> = fetch!(fetch_all(self.reader()), sql, tenant.0)?;
                    Ok(rows.into_iter().map(|(id, body)| ExceptionRecord { id, exception: body.0 }).collect())
                }

                async fn calendar_version(&self, tenant: TenantId) -> StoreResult<i64> {
                    let v: Option<i64> = sqlx::query_scalar("SELECT version FROM calendar_versions WHERE tenant_id = $1")
                        .bind(tenant.0)
                        .fetch_optional(self.reader())
                        .await
                        .map_err(db_err)?;
                    Ok(v.unwrap_or(0))
                }

                async fn delete_exception(&self, tenant: TenantId, id: Uuid) -> StoreResult<()> {
                    found(exec!(self.writer(), "DELETE FROM schedule_exceptions WHERE tenant_id = $1 AND id = $2", tenant.0, id)?)
                }
            }

            impl $store {
                /// Replaces a patient's fields if it is at `expected` (any version when `None`);
                /// returns the new version.
                async fn update_patient_checked(&self, p: &Patient, expected: Option<i64>) -> StoreResult<i64> {
                    let version: Option<i64> = sqlx::query_scalar(
                        "UPDATE patients SET name = $1, phone = $2, email = $3, birth_date = $4, locale = $5, external_id = $6,
                            version = version + 1
                         WHERE tenant_id = $7 AND id = $8 AND ($9 IS NULL OR version = $9) RETURNING version",
                    )
                    .bind(p.name.as_str())
                    .bind(p.phone.as_str())
                    .bind(p.email.as_ref().map(|e| e.as_str()))
                    .bind(p.birth_date.map(DbDate))
                    .bind(p.locale.as_str())
                    .bind(&p.external_id)
                    .bind(p.tenant_id.0)
                    .bind(p.id.0)
                    .bind(expected)
                    .fetch_optional(self.writer())
                    .await
                    .map_err(db_err)?;
                    match version {
                        Some(v) => Ok(v),
                        None => Err(self.stale_unless_missing("patients", p.tenant_id, p.id.0, expected).await),
                    }
                }
            }

            #[async_trait::async_trait]
            impl PatientStore for $store {
                async fn create_patient(&self, p: &Patient) -> StoreResult<()> {
                    exec!(
                        self.writer(),
                        "INSERT INTO patients (id, tenant_id, name, phone, email, birth_date, locale, external_id, created_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                        p.id.0,
                        p.tenant_id.0,
                        p.name.as_str(),
                        p.phone.as_str(),
                        p.email.as_ref().map(|e| e.as_str()),
                        p.birth_date.map(DbDate),
                        p.locale.as_str(),
                        &p.external_id,
                        DbTime(p.created_at),
                    )
                    .map(drop)
                }

                async fn get_patient(&self, tenant: TenantId, id: PatientId) -> StoreResult<Option<Patient>> {
                    Ok(self.get_patient_versioned(tenant, id).await?.map(|v| v.value))
                }

                async fn patient_by_phone(&self, tenant: TenantId, phone: &PhoneE164) -> StoreResult<Option<Patient>> {
                    let sql = sqlx::AssertSqlSafe(format!("{PATIENT} WHERE tenant_id = $1 AND phone = $2"));
                    let row: Option<PatientRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, phone.as_str())?;
                    row.map(Patient::try_from).transpose()
                }

                async fn patient_by_email(&self, tenant: TenantId, email: &str) -> StoreResult<Option<Patient>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{PATIENT} WHERE tenant_id = $1 AND lower(email) = lower($2) ORDER BY created_at, id LIMIT 1"
                    ));
                    let row: Option<PatientRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, email)?;
                    row.map(Patient::try_from).transpose()
                }

                async fn set_patient_tags(&self, tenant: TenantId, patient: PatientId, tags: &[String]) -> StoreResult<()> {
                    let mut tx = self.writer().begin().await.map_err(db_err)?;
                    exec!(&mut *tx, "DELETE FROM patient_tags WHERE tenant_id = $1 AND patient_id = $2", tenant.0, patient.0)?;
                    for tag in tags {
                        exec!(
                            &mut *tx,
                            "INSERT INTO patient_tags (tenant_id, patient_id, tag) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            tenant.0,
                            patient.0,
                            tag.as_str(),
                        )?;
                    }
                    tx.commit().await.map_err(db_err)
                }

                async fn add_patient_tags(&self, tenant: TenantId, patient: PatientId, tags: &[String]) -> StoreResult<()> {
                    for tag in tags {
                        exec!(
                            self.writer(),
                            "INSERT INTO patient_tags (tenant_id, patient_id, tag) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            tenant.0,
                            patient.0,
                            tag.as_str(),
                        )?;
                    }
                    Ok(())
                }

                async fn patient_tags(&self, tenant: TenantId, patients: &[PatientId]) -> StoreResult<Vec<(PatientId, String)>> {
                    if patients.is_empty() {
                        return Ok(Vec::new());
                    }
                    let sql = sqlx::AssertSqlSafe(format!(
                        "SELECT patient_id, tag FROM patient_tags WHERE tenant_id = $1 AND patient_id IN ({})
                         ORDER BY patient_id, tag",
                        <$store as $crate::SqlBackend>::IDS_IN_2
                    ));
                    let hex: Vec<String> = patients.iter().map(|p| p.0.simple().to_string()).collect();
                    let rows: Vec<(Uuid, String)> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0, serde_json::Value::from(hex).to_string())?;
                    Ok(rows.into_iter().map(|(id, tag)| (PatientId(id), tag)).collect())
                }

                async fn set_patient_external_id(&self, tenant: TenantId, id: PatientId, external_id: &str) -> StoreResult<()> {
                    let sql = "UPDATE patients SET external_id = $1, version = version + 1 WHERE tenant_id = $2 AND id = $3";
                    found(exec!(self.writer(), sql, external_id, tenant.0, id.0)?)
                }

                async fn update_patient(&self, p: &Patient) -> StoreResult<()> {
                    self.update_patient_checked(p, None).await.map(drop)
                }

                async fn get_patient_versioned(&self, tenant: TenantId, id: PatientId) -> StoreResult<Option<Versioned<Patient>>> {
                    let sql = sqlx::AssertSqlSafe(format!("{PATIENT} WHERE tenant_id = $1 AND id = $2"));
                    let row: Option<PatientRow> = fetch!(fetch_optional(self.reader()), sql, tenant.0, id.0)?;
                    row.map(|r| Ok(Versioned { version: r.version, value: Patient::try_from(r)? })).transpose()
                }

                async fn update_patient_if(&self, p: &Patient, expected_version: i64) -> StoreResult<i64> {
                    self.update_patient_checked(p, Some(expected_version)).await
                }

                /// Patients whose name contains `q.name` and whose phone contains `q.phone_digits`.
                async fn search_patients(&self, tenant: TenantId, q: &PatientQuery, page: PageRequest) -> StoreResult<Page<Patient>> {
                    let sql = sqlx::AssertSqlSafe(format!(
                        "{PATIENT} WHERE tenant_id = $1 AND ($2 IS NULL OR {}) AND ($3 IS NULL OR {}) AND ($4 IS NULL OR id < $4)
                         ORDER BY id DESC LIMIT $5",
                        format!("{}(lower(name), lower($2)) > 0", <$store as $crate::SqlBackend>::FIND),
                        format!("{}(phone, $3) > 0", <$store as $crate::SqlBackend>::FIND),
                    ));
                    let rows: Vec<PatientRow> =
                        fetch!(fetch_all(self.reader()), sql, tenant.0, &q.name, &q.phone_digits, page.before, page.fetch_limit())?;
                    let items = rows.into_iter().map(Patient::try_from).collect::<StoreResult<Vec<_>>>()?;
                    Ok(Page::from_rows(items, page, |p| p.id.0))
                }
            }
        };
    };
}
