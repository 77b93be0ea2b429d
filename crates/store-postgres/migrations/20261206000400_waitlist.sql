-- The waitlist: patients waiting for a service (their acceptable times as JSON windows),
-- and the freed slots offered to them. An entry is offered one slot (practitioner, start)
-- at most once; an offer moves out of 'pending' exactly once.
CREATE TABLE waitlist_entries (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants(id),
    patient_id      UUID NOT NULL REFERENCES patients(id),
    service_id      UUID NOT NULL,
    practitioner_id UUID,
    location_id     UUID,
    windows         JSONB NOT NULL,
    not_after       DATE,
    status          TEXT NOT NULL,
    source          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX waitlist_entries_waiting ON waitlist_entries (tenant_id, service_id, status, created_at);
CREATE INDEX waitlist_entries_patient ON waitlist_entries (tenant_id, patient_id);

CREATE TABLE waitlist_offers (
    id              UUID PRIMARY KEY,
    tenant_id       UUID NOT NULL REFERENCES tenants(id),
    entry_id        UUID NOT NULL REFERENCES waitlist_entries(id),
    patient_id      UUID NOT NULL REFERENCES patients(id),
    practitioner_id UUID NOT NULL,
    location_id     UUID NOT NULL,
    service_id      UUID NOT NULL,
    slot_start      TIMESTAMPTZ NOT NULL,
    slot_end        TIMESTAMPTZ NOT NULL,
    status          TEXT NOT NULL,
    round           BIGINT NOT NULL,
    sent_at         TIMESTAMPTZ NOT NULL,
    expires_at      TIMESTAMPTZ NOT NULL,
    appointment_id  UUID,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX waitlist_offers_once ON waitlist_offers (tenant_id, entry_id, practitioner_id, slot_start);
CREATE INDEX waitlist_offers_slot ON waitlist_offers (tenant_id, practitioner_id, slot_start);
CREATE INDEX waitlist_offers_patient ON waitlist_offers (tenant_id, patient_id, status);
