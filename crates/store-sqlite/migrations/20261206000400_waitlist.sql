-- The waitlist: patients waiting for a service (their acceptable times as JSON windows),
-- and the freed slots offered to them. An entry is offered one slot (practitioner, start)
-- at most once; an offer moves out of 'pending' exactly once.
CREATE TABLE waitlist_entries (
    id              BLOB PRIMARY KEY,
    tenant_id       BLOB NOT NULL REFERENCES tenants(id),
    patient_id      BLOB NOT NULL REFERENCES patients(id),
    service_id      BLOB NOT NULL,
    practitioner_id BLOB,
    location_id     BLOB,
    windows         TEXT NOT NULL,
    not_after       TEXT,
    status          TEXT NOT NULL,
    source          TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX waitlist_entries_waiting ON waitlist_entries (tenant_id, service_id, status, created_at);
CREATE INDEX waitlist_entries_patient ON waitlist_entries (tenant_id, patient_id);

CREATE TABLE waitlist_offers (
    id              BLOB PRIMARY KEY,
    tenant_id       BLOB NOT NULL REFERENCES tenants(id),
    entry_id        BLOB NOT NULL REFERENCES waitlist_entries(id),
    patient_id      BLOB NOT NULL REFERENCES patients(id),
    practitioner_id BLOB NOT NULL,
    location_id     BLOB NOT NULL,
    service_id      BLOB NOT NULL,
    slot_start      INTEGER NOT NULL,
    slot_end        INTEGER NOT NULL,
    status          TEXT NOT NULL,
    round           BIGINT NOT NULL,
    sent_at         INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    appointment_id  BLOB,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE UNIQUE INDEX waitlist_offers_once ON waitlist_offers (tenant_id, entry_id, practitioner_id, slot_start);
CREATE INDEX waitlist_offers_slot ON waitlist_offers (tenant_id, practitioner_id, slot_start);
CREATE INDEX waitlist_offers_patient ON waitlist_offers (tenant_id, patient_id, status);
