use crate::SqliteStore;
use crate::convert::{db_err, from_ts, ts};
use async_trait::async_trait;
use frontdesk_domain::contact::{Email, PersonName, PhoneE164};
use frontdesk_domain::patients::Patient;
use frontdesk_domain::tenant::Locale;
use frontdesk_domain::{PatientId, TenantId};
use frontdesk_store::{PatientStore, StoreError, StoreResult};
use uuid::Uuid;

#[derive(sqlx::FromRow)]
struct PatientRow {
    id: Uuid,
    tenant_id: Uuid,
    name: String,
    phone: String,
    email: Option<String>,
    birth_date: Option<String>,
    locale: String,
    external_id: Option<String>,
    created_at: i64,
}

impl TryFrom<PatientRow> for Patient {
    type Error = StoreError;
    fn try_from(r: PatientRow) -> Result<Self, StoreError> {
        let bad = |what: &str| StoreError::corrupt(format!("patient {what}"));
        Ok(Patient {
            id: r.id.into(),
            tenant_id: r.tenant_id.into(),
            name: PersonName::parse(&r.name).map_err(|_| bad("name"))?,
            phone: PhoneE164::try_from(r.phone).map_err(|_| bad("phone"))?,
            email: r.email.map(Email::try_from).transpose().map_err(|_| bad("email"))?,
            birth_date: r.birth_date.map(|d| d.parse()).transpose().map_err(|_| bad("birth date"))?,
            locale: Locale::parse(&r.locale).map_err(|_| bad("locale"))?,
            external_id: r.external_id,
            created_at: from_ts(r.created_at)?,
        })
    }
}

macro_rules! select {
    ($tail:literal) => {
        concat!(
            "SELECT id, tenant_id, name, phone, email, birth_date, locale, external_id, created_at FROM patients ",
            $tail
        )
    };
}

#[async_trait]
impl PatientStore for SqliteStore {
    async fn create_patient(&self, p: &Patient) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO patients (id, tenant_id, name, phone, email, birth_date, locale, external_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(p.id.0)
        .bind(p.tenant_id.0)
        .bind(p.name.as_str())
        .bind(p.phone.as_str())
        .bind(p.email.as_ref().map(|e| e.as_str()))
        .bind(p.birth_date.map(|d| d.to_string()))
        .bind(p.locale.as_str())
        .bind(&p.external_id)
        .bind(ts(p.created_at))
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn get_patient(&self, tenant: TenantId, id: PatientId) -> StoreResult<Option<Patient>> {
        let row: Option<PatientRow> = sqlx::query_as(select!("WHERE tenant_id = ? AND id = ?"))
            .bind(tenant.0)
            .bind(id.0)
            .fetch_optional(&self.reader)
            .await
            .map_err(db_err)?;
        row.map(Patient::try_from).transpose()
    }

    async fn patient_by_phone(&self, tenant: TenantId, phone: &PhoneE164) -> StoreResult<Option<Patient>> {
        let row: Option<PatientRow> = sqlx::query_as(select!("WHERE tenant_id = ? AND phone = ?"))
            .bind(tenant.0)
            .bind(phone.as_str())
            .fetch_optional(&self.reader)
            .await
            .map_err(db_err)?;
        row.map(Patient::try_from).transpose()
    }

    async fn update_patient(&self, p: &Patient) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE patients SET name = ?, phone = ?, email = ?, birth_date = ?, locale = ?, external_id = ?
             WHERE tenant_id = ? AND id = ?",
        )
        .bind(p.name.as_str())
        .bind(p.phone.as_str())
        .bind(p.email.as_ref().map(|e| e.as_str()))
        .bind(p.birth_date.map(|d| d.to_string()))
        .bind(p.locale.as_str())
        .bind(&p.external_id)
        .bind(p.tenant_id.0)
        .bind(p.id.0)
        .execute(&self.writer)
        .await
        .map_err(db_err)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    async fn search_patients(
        &self,
        tenant: TenantId,
        q: &frontdesk_store::PatientQuery,
        page: frontdesk_domain::page::PageRequest,
    ) -> StoreResult<frontdesk_domain::page::Page<Patient>> {
        search(self, tenant, q, page).await
    }

    async fn set_patient_external_id(
        &self,
        tenant: TenantId,
        id: PatientId,
        external_id: &str,
    ) -> StoreResult<()> {
        let done = sqlx::query("UPDATE patients SET external_id = ? WHERE tenant_id = ? AND id = ?")
            .bind(external_id)
            .bind(tenant.0)
            .bind(id.0)
            .execute(&self.writer)
            .await
            .map_err(db_err)?;
        if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}

/// Patients whose name contains `q.name` and whose phone contains `q.phone_digits`, newest first.
async fn search(
    store: &SqliteStore,
    tenant: TenantId,
    q: &frontdesk_store::PatientQuery,
    page: frontdesk_domain::page::PageRequest,
) -> StoreResult<frontdesk_domain::page::Page<Patient>> {
    let rows: Vec<PatientRow> = sqlx::query_as(select!(
        "WHERE tenant_id = ?1 AND (?2 IS NULL OR instr(lower(name), lower(?2)) > 0)
           AND (?3 IS NULL OR instr(phone, ?3) > 0) AND (?4 IS NULL OR id < ?4)
         ORDER BY id DESC LIMIT ?5"
    ))
    .bind(tenant.0)
    .bind(&q.name)
    .bind(&q.phone_digits)
    .bind(page.before)
    .bind(page.fetch_limit())
    .fetch_all(&store.reader)
    .await
    .map_err(db_err)?;
    let items = rows.into_iter().map(Patient::try_from).collect::<StoreResult<Vec<_>>>()?;
    Ok(frontdesk_domain::page::Page::from_rows(items, page, |p| p.id.0))
}
