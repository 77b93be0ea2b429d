-- Messaging: one conversation per patient and channel, its messages, consent decisions.

CREATE TABLE conversations (
    id               UUID PRIMARY KEY,
    tenant_id        UUID NOT NULL REFERENCES tenants(id),
    patient_id       UUID NOT NULL REFERENCES patients(id),
    channel          TEXT NOT NULL,
    status           TEXT NOT NULL,
    assignee         TEXT,
    needs_staff      BOOLEAN NOT NULL DEFAULT FALSE,
    last_message_at  TIMESTAMPTZ,
    last_inbound_at  TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, patient_id, channel)
);
CREATE INDEX conversations_recent ON conversations(tenant_id, last_message_at DESC, id DESC);

CREATE TABLE messages (
    id                   UUID PRIMARY KEY,
    tenant_id            UUID NOT NULL REFERENCES tenants(id),
    conversation_id      UUID NOT NULL REFERENCES conversations(id),
    patient_id           UUID NOT NULL REFERENCES patients(id),
    direction            TEXT NOT NULL,
    channel              TEXT NOT NULL,
    body                 TEXT,
    media                JSONB NOT NULL,
    template             TEXT,
    provider             TEXT NOT NULL,
    provider_message_id  TEXT,
    status               TEXT NOT NULL,
    error_code           TEXT,
    error_message        TEXT,
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
-- A provider's message is stored once, however often its webhook is retried.
CREATE UNIQUE INDEX messages_provider_id ON messages(tenant_id, provider, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
CREATE INDEX messages_conversation ON messages(tenant_id, conversation_id, id);

CREATE TABLE consents (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants(id),
    patient_id  UUID NOT NULL REFERENCES patients(id),
    channel     TEXT NOT NULL,
    state       TEXT NOT NULL,
    source      TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX consents_patient ON consents(tenant_id, patient_id, id);
