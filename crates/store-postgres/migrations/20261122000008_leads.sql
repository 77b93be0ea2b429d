-- Leads, their timeline, and the WhatsApp booking dialogue's state. Same schema as the
-- SQLite backend. Leads do not change free time, so no calendar_versions trigger watches
-- these tables.

CREATE TABLE leads (
    id                 UUID PRIMARY KEY,
    tenant_id          UUID NOT NULL REFERENCES tenants(id),
    patient_id         UUID NOT NULL REFERENCES patients(id),
    source             TEXT NOT NULL,
    utm_source         TEXT,
    utm_medium         TEXT,
    utm_campaign       TEXT,
    utm_term           TEXT,
    utm_content        TEXT,
    campaign           TEXT,
    service_interest   TEXT,
    notes              TEXT,
    stage              TEXT NOT NULL,
    lost_reason        TEXT,
    temperature        TEXT NOT NULL,
    score              INTEGER NOT NULL,
    -- An array of strings.
    score_reasons      JSONB NOT NULL,
    owner              TEXT,
    -- {"new": "2026-05-04T12:00:00Z", "booked": ...}, every stage reached.
    stage_times        JSONB NOT NULL,
    first_outbound_at  TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX leads_recent ON leads(tenant_id, id DESC);
-- The patient's newest lead (merging duplicates, moving the stage on bookings).
CREATE INDEX leads_patient ON leads(tenant_id, patient_id, created_at DESC);
CREATE INDEX leads_stage ON leads(tenant_id, stage);
CREATE INDEX leads_created ON leads(tenant_id, created_at);

CREATE TABLE lead_events (
    id         UUID PRIMARY KEY,
    tenant_id  UUID NOT NULL REFERENCES tenants(id),
    lead_id    UUID NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    at         TIMESTAMPTZ NOT NULL,
    kind       TEXT NOT NULL,
    -- JSON 'null' (not SQL NULL) when the event has no detail.
    detail     JSONB NOT NULL
);
CREATE INDEX lead_events_lead ON lead_events(lead_id, at);

-- One dialogue per conversation, updated only by whoever read its current version.
CREATE TABLE dialogues (
    tenant_id        UUID NOT NULL REFERENCES tenants(id),
    conversation_id  UUID NOT NULL REFERENCES conversations(id),
    patient_id       UUID NOT NULL REFERENCES patients(id),
    state            JSONB NOT NULL,
    version          BIGINT NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    expires_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
);
