-- Leads, their timeline, and the WhatsApp booking dialogue's state. Leads do not change
-- free time, so no calendar_versions trigger watches these tables.

CREATE TABLE leads (
    id                 BLOB PRIMARY KEY,
    tenant_id          BLOB NOT NULL REFERENCES tenants(id),
    patient_id         BLOB NOT NULL REFERENCES patients(id),
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
    -- JSON text: an array of strings.
    score_reasons      TEXT NOT NULL,
    owner              TEXT,
    -- JSON text: {"new": "2026-05-04T12:00:00Z", "booked": ...}, every stage reached.
    stage_times        TEXT NOT NULL,
    first_outbound_at  INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
);
CREATE INDEX leads_recent ON leads(tenant_id, id DESC);
-- The patient's newest lead (merging duplicates, moving the stage on bookings).
CREATE INDEX leads_patient ON leads(tenant_id, patient_id, created_at DESC);
CREATE INDEX leads_stage ON leads(tenant_id, stage);
CREATE INDEX leads_created ON leads(tenant_id, created_at);

CREATE TABLE lead_events (
    id         BLOB PRIMARY KEY,
    tenant_id  BLOB NOT NULL REFERENCES tenants(id),
    lead_id    BLOB NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    at         INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    -- JSON text; 'null' when the event has no detail.
    detail     TEXT NOT NULL
);
CREATE INDEX lead_events_lead ON lead_events(lead_id, at);

-- One dialogue per conversation, updated only by whoever read its current version.
CREATE TABLE dialogues (
    tenant_id        BLOB NOT NULL REFERENCES tenants(id),
    conversation_id  BLOB NOT NULL REFERENCES conversations(id),
    patient_id       BLOB NOT NULL REFERENCES patients(id),
    state            TEXT NOT NULL,
    version          INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, conversation_id)
);
