-- Scheduling: catalog, hours, exceptions, settings, patients, appointments, notifications.
-- Same schema as the SQLite backend. Double booking is impossible by construction: an
-- exclusion constraint forbids two live appointments of one practitioner whose blocked
-- ranges [start_at, blocked_until) overlap.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE tenant_settings (
    tenant_id  UUID PRIMARY KEY REFERENCES tenants(id),
    body       JSONB NOT NULL
);

CREATE TABLE locations (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL,
    address     TEXT,
    timezone    TEXT NOT NULL
);
CREATE INDEX locations_tenant ON locations(tenant_id, id);

CREATE TABLE practitioners (
    id            UUID PRIMARY KEY,
    tenant_id     UUID NOT NULL REFERENCES tenants(id),
    name          TEXT NOT NULL,
    department    TEXT NOT NULL,
    location_ids  JSONB NOT NULL,
    active        BOOLEAN NOT NULL
);
CREATE INDEX practitioners_tenant ON practitioners(tenant_id, id);

CREATE TABLE services (
    id                UUID PRIMARY KEY,
    tenant_id         UUID NOT NULL REFERENCES tenants(id),
    name              TEXT NOT NULL,
    department        TEXT NOT NULL,
    duration_minutes  INTEGER NOT NULL CHECK (duration_minutes > 0),
    price_cents       BIGINT
);
CREATE INDEX services_tenant ON services(tenant_id, id);

CREATE TABLE weekly_hours (
    tenant_id        UUID NOT NULL REFERENCES tenants(id),
    practitioner_id  UUID NOT NULL REFERENCES practitioners(id),
    location_id      UUID NOT NULL REFERENCES locations(id),
    intervals        JSONB NOT NULL,
    PRIMARY KEY (tenant_id, practitioner_id, location_id)
);

CREATE TABLE schedule_exceptions (
    id         UUID PRIMARY KEY,
    tenant_id  UUID NOT NULL REFERENCES tenants(id),
    body       JSONB NOT NULL
);
CREATE INDEX schedule_exceptions_tenant ON schedule_exceptions(tenant_id, id);

CREATE TABLE patients (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants(id),
    name         TEXT NOT NULL,
    phone        TEXT NOT NULL,
    email        TEXT,
    birth_date   DATE,
    locale       TEXT NOT NULL,
    external_id  TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, phone)
);

CREATE TABLE appointments (
    id               UUID PRIMARY KEY,
    tenant_id        UUID NOT NULL REFERENCES tenants(id),
    patient_id       UUID NOT NULL REFERENCES patients(id),
    practitioner_id  UUID NOT NULL REFERENCES practitioners(id),
    location_id      UUID NOT NULL REFERENCES locations(id),
    service_id       UUID NOT NULL REFERENCES services(id),
    start_at         TIMESTAMPTZ NOT NULL,
    end_at           TIMESTAMPTZ NOT NULL,
    blocked_until    TIMESTAMPTZ NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('booked','confirmed','checked_in','completed','cancelled','no_show')),
    version          INTEGER NOT NULL,
    external_id      TEXT,
    cancel_reason    TEXT,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    CHECK (end_at > start_at AND blocked_until >= end_at),
    CONSTRAINT appointments_no_overlap EXCLUDE USING gist (
        tenant_id WITH =,
        practitioner_id WITH =,
        tstzrange(start_at, blocked_until) WITH &&
    ) WHERE (status IN ('booked','confirmed','checked_in','completed'))
);
CREATE INDEX appointments_tenant_time ON appointments(tenant_id, start_at, id);
CREATE INDEX appointments_patient ON appointments(tenant_id, patient_id);

CREATE TABLE appointment_events (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants(id),
    appointment_id  UUID NOT NULL REFERENCES appointments(id),
    at              TIMESTAMPTZ NOT NULL,
    action          TEXT NOT NULL,
    from_status     TEXT,
    to_status       TEXT NOT NULL,
    actor           TEXT NOT NULL,
    detail          TEXT
);
CREATE INDEX appointment_events_appointment ON appointment_events(tenant_id, appointment_id, id);

CREATE TABLE idempotency_keys (
    tenant_id       UUID NOT NULL REFERENCES tenants(id),
    key             TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    -- Claimed before the appointment row exists (see the store), so checked at commit.
    appointment_id  UUID NOT NULL REFERENCES appointments(id) DEFERRABLE INITIALLY DEFERRED,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, key)
);

CREATE TABLE notifications (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants(id),
    patient_id  UUID NOT NULL REFERENCES patients(id),
    template    TEXT NOT NULL,
    variables   JSONB NOT NULL,
    channel     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_tenant ON notifications(tenant_id, patient_id, id);
