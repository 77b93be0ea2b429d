-- Voice calls, their transcripts and the raw provider payloads kept for audit. Same
-- schema as the SQLite backend. Calls do not change free time, so no calendar_versions
-- trigger watches these tables.

CREATE TABLE calls (
    id                    UUID PRIMARY KEY,
    tenant_id             UUID NOT NULL REFERENCES tenants(id),
    -- NULL for an inbound call from a number no patient has.
    patient_id            UUID REFERENCES patients(id),
    -- No foreign key yet: leads are not stored by this schema version.
    lead_id               UUID,
    direction             TEXT NOT NULL,
    provider              TEXT NOT NULL,
    provider_call_id      TEXT,
    status                TEXT NOT NULL,
    reason                TEXT,
    assistant_id          TEXT,
    attempt               INTEGER NOT NULL,
    parent_call_id        UUID REFERENCES calls(id),
    ended_reason          TEXT,
    started_at            TIMESTAMPTZ,
    ended_at              TIMESTAMPTZ,
    duration_seconds      DOUBLE PRECISION,
    cost                  DOUBLE PRECISION,
    -- JSON 'null' (not SQL NULL) when the provider sent none.
    cost_breakdown        JSONB NOT NULL,
    recording_url         TEXT,
    stereo_recording_url  TEXT,
    summary               TEXT,
    structured_data       JSONB NOT NULL,
    outcome               TEXT,
    outcome_reason        TEXT,
    callback_at           TIMESTAMPTZ,
    appointment_id        UUID REFERENCES appointments(id),
    error                 TEXT,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL
);
-- A provider's call is stored once, however often its webhooks are retried.
CREATE UNIQUE INDEX calls_provider_id ON calls(tenant_id, provider, provider_call_id)
    WHERE provider_call_id IS NOT NULL;
CREATE INDEX calls_recent ON calls(tenant_id, id DESC);
CREATE INDEX calls_created ON calls(tenant_id, created_at);

CREATE TABLE call_transcript_turns (
    tenant_id           UUID NOT NULL REFERENCES tenants(id),
    call_id             UUID NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
    seq                 INTEGER NOT NULL,
    role                TEXT NOT NULL,
    text                TEXT NOT NULL,
    seconds_from_start  DOUBLE PRECISION,
    PRIMARY KEY (call_id, seq)
);

CREATE TABLE call_payloads (
    id           UUID PRIMARY KEY,
    tenant_id    UUID NOT NULL REFERENCES tenants(id),
    call_id      UUID NOT NULL REFERENCES calls(id),
    kind         TEXT NOT NULL,
    payload      JSONB NOT NULL,
    received_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX call_payloads_call ON call_payloads(call_id, received_at);
