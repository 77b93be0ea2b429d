-- Voice calls, their transcripts and the raw provider payloads kept for audit. Calls do
-- not change free time, so no calendar_versions trigger watches these tables.

CREATE TABLE calls (
    id                    BLOB PRIMARY KEY,
    tenant_id             BLOB NOT NULL REFERENCES tenants(id),
    -- NULL for an inbound call from a number no patient has.
    patient_id            BLOB REFERENCES patients(id),
    -- No foreign key yet: leads are not stored by this schema version.
    lead_id               BLOB,
    direction             TEXT NOT NULL,
    provider              TEXT NOT NULL,
    provider_call_id      TEXT,
    status                TEXT NOT NULL,
    reason                TEXT,
    assistant_id          TEXT,
    attempt               INTEGER NOT NULL,
    parent_call_id        BLOB REFERENCES calls(id),
    ended_reason          TEXT,
    started_at            INTEGER,
    ended_at              INTEGER,
    duration_seconds      REAL,
    cost                  REAL,
    -- JSON text; 'null' when the provider sent none.
    cost_breakdown        TEXT NOT NULL,
    recording_url         TEXT,
    stereo_recording_url  TEXT,
    summary               TEXT,
    structured_data       TEXT NOT NULL,
    outcome               TEXT,
    outcome_reason        TEXT,
    callback_at           INTEGER,
    appointment_id        BLOB REFERENCES appointments(id),
    error                 TEXT,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
);
-- A provider's call is stored once, however often its webhooks are retried.
CREATE UNIQUE INDEX calls_provider_id ON calls(tenant_id, provider, provider_call_id)
    WHERE provider_call_id IS NOT NULL;
CREATE INDEX calls_recent ON calls(tenant_id, id DESC);
CREATE INDEX calls_created ON calls(tenant_id, created_at);

CREATE TABLE call_transcript_turns (
    tenant_id           BLOB NOT NULL REFERENCES tenants(id),
    call_id             BLOB NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    seq                 INTEGER NOT NULL,
    role                TEXT NOT NULL,
    text                TEXT NOT NULL,
    seconds_from_start  REAL,
    PRIMARY KEY (call_id, seq)
);

CREATE TABLE call_payloads (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id),
    call_id      BLOB NOT NULL REFERENCES calls(id),
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    received_at  INTEGER NOT NULL
);
CREATE INDEX call_payloads_call ON call_payloads(call_id, received_at);
