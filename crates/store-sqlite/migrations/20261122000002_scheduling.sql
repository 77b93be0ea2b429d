-- Scheduling: catalog, hours, exceptions, settings, patients, appointments, notifications.
-- Structured values that are always read whole (weekly intervals, exception kinds, settings)
-- are JSON text.

CREATE TABLE tenant_settings (
    tenant_id  BLOB PRIMARY KEY REFERENCES tenants(id),
    body       TEXT NOT NULL
);

CREATE TABLE locations (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL,
    address     TEXT,
    timezone    TEXT NOT NULL
);
CREATE INDEX locations_tenant ON locations(tenant_id, id);

CREATE TABLE practitioners (
    id            BLOB PRIMARY KEY,
    tenant_id     BLOB NOT NULL REFERENCES tenants(id),
    name          TEXT NOT NULL,
    department    TEXT NOT NULL,
    location_ids  TEXT NOT NULL,
    active        INTEGER NOT NULL
);
CREATE INDEX practitioners_tenant ON practitioners(tenant_id, id);

CREATE TABLE services (
    id                BLOB PRIMARY KEY,
    tenant_id         BLOB NOT NULL REFERENCES tenants(id),
    name              TEXT NOT NULL,
    department        TEXT NOT NULL,
    duration_minutes  INTEGER NOT NULL CHECK (duration_minutes > 0),
    price_cents       INTEGER
);
CREATE INDEX services_tenant ON services(tenant_id, id);

CREATE TABLE weekly_hours (
    tenant_id        BLOB NOT NULL REFERENCES tenants(id),
    practitioner_id  BLOB NOT NULL REFERENCES practitioners(id),
    location_id      BLOB NOT NULL REFERENCES locations(id),
    intervals        TEXT NOT NULL,
    PRIMARY KEY (tenant_id, practitioner_id, location_id)
);

CREATE TABLE schedule_exceptions (
    id         BLOB PRIMARY KEY,
    tenant_id  BLOB NOT NULL REFERENCES tenants(id),
    body       TEXT NOT NULL
);
CREATE INDEX schedule_exceptions_tenant ON schedule_exceptions(tenant_id, id);

CREATE TABLE patients (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id),
    name         TEXT NOT NULL,
    phone        TEXT NOT NULL,
    email        TEXT,
    birth_date   TEXT,
    locale       TEXT NOT NULL,
    external_id  TEXT,
    created_at   INTEGER NOT NULL,
    UNIQUE (tenant_id, phone)
);

CREATE TABLE appointments (
    id               BLOB PRIMARY KEY,
    tenant_id        BLOB NOT NULL REFERENCES tenants(id),
    patient_id       BLOB NOT NULL REFERENCES patients(id),
    practitioner_id  BLOB NOT NULL REFERENCES practitioners(id),
    location_id      BLOB NOT NULL REFERENCES locations(id),
    service_id       BLOB NOT NULL REFERENCES services(id),
    start_at         INTEGER NOT NULL,
    end_at           INTEGER NOT NULL,
    blocked_until    INTEGER NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('booked','confirmed','checked_in','completed','cancelled','no_show')),
    version          INTEGER NOT NULL,
    external_id      TEXT,
    cancel_reason    TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    CHECK (end_at > start_at AND blocked_until >= end_at)
);
CREATE INDEX appointments_practitioner_time ON appointments(tenant_id, practitioner_id, start_at);
CREATE INDEX appointments_tenant_time ON appointments(tenant_id, start_at, id);
CREATE INDEX appointments_patient ON appointments(tenant_id, patient_id);

CREATE TABLE appointment_events (
    id              BLOB PRIMARY KEY,
    tenant_id       BLOB NOT NULL REFERENCES tenants(id),
    appointment_id  BLOB NOT NULL REFERENCES appointments(id),
    at              INTEGER NOT NULL,
    action          TEXT NOT NULL,
    from_status     TEXT,
    to_status       TEXT NOT NULL,
    actor           TEXT NOT NULL,
    detail          TEXT
);
CREATE INDEX appointment_events_appointment ON appointment_events(tenant_id, appointment_id, id);

CREATE TABLE idempotency_keys (
    tenant_id       BLOB NOT NULL REFERENCES tenants(id),
    key             TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    appointment_id  BLOB NOT NULL REFERENCES appointments(id),
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

CREATE TABLE notifications (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    patient_id  BLOB NOT NULL REFERENCES patients(id),
    template    TEXT NOT NULL,
    variables   TEXT NOT NULL,
    channel     TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX notifications_tenant ON notifications(tenant_id, patient_id, id);
