//! One mapping from database errors to store errors, so a conflict reads the same on
//! both backends.

use frontdesk_store::{Conflict, Record, StoreError};

/// Uniqueness violations become `Conflict::Duplicate` naming the table's record; an
/// overlap rejected by PostgreSQL's exclusion constraint becomes `Conflict::SlotTaken`;
/// everything else is a `Backend` failure.
pub fn db_err(err: sqlx::Error) -> StoreError {
    let sqlx::Error::Database(db) = &err else { return StoreError::backend(err) };
    let code = db.code();
    let code = code.as_deref();
    // 23P01: exclusion violation (`appointments_no_overlap`). Two transactions inserting
    // overlapping appointments may also deadlock (40P01) while checking that constraint;
    // PostgreSQL aborts one, whose slot is being taken by the other: the same conflict.
    if code == Some("23P01") || (code == Some("40P01") && in_overlap_check(db.as_ref())) {
        return StoreError::Conflict(Conflict::SlotTaken);
    }
    if db.is_unique_violation() {
        return StoreError::duplicate(Record::of_table(&table_of(db.as_ref())));
    }
    StoreError::backend(err)
}

/// The table of a violated constraint: PostgreSQL names it; SQLite's message names its
/// columns as `table.column` ("UNIQUE constraint failed: patients.tenant_id, ...").
fn table_of(db: &dyn sqlx::error::DatabaseError) -> String {
    if let Some(table) = db.table() {
        return table.to_owned();
    }
    let message = db.message();
    let columns = message.rsplit(": ").next().unwrap_or_default();
    columns.split('.').next().unwrap_or_default().trim().to_owned()
}

fn in_overlap_check(db: &dyn sqlx::error::DatabaseError) -> bool {
    db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
        .and_then(|pg| pg.r#where())
        .is_some_and(|w| w.contains("exclusion constraint") && w.contains("\"appointments\""))
}
