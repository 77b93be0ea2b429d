-- Messaging: one conversation per patient and channel, its messages, consent decisions.

CREATE TABLE conversations (
    id               BLOB PRIMARY KEY,
    tenant_id        BLOB NOT NULL REFERENCES tenants(id),
    patient_id       BLOB NOT NULL REFERENCES patients(id),
    channel          TEXT NOT NULL,
    status           TEXT NOT NULL,
    assignee         TEXT,
    needs_staff      INTEGER NOT NULL DEFAULT 0,
    last_message_at  INTEGER,
    last_inbound_at  INTEGER,
    created_at       INTEGER NOT NULL,
    UNIQUE (tenant_id, patient_id, channel)
);
CREATE INDEX conversations_recent ON conversations(tenant_id, last_message_at DESC, id DESC);

CREATE TABLE messages (
    id                   BLOB PRIMARY KEY,
    tenant_id            BLOB NOT NULL REFERENCES tenants(id),
    conversation_id      BLOB NOT NULL REFERENCES conversations(id),
    patient_id           BLOB NOT NULL REFERENCES patients(id),
    direction            TEXT NOT NULL,
    channel              TEXT NOT NULL,
    body                 TEXT,
    media                TEXT NOT NULL,
    template             TEXT,
    provider             TEXT NOT NULL,
    provider_message_id  TEXT,
    status               TEXT NOT NULL,
    error_code           TEXT,
    error_message        TEXT,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL
);
-- A provider's message is stored once, however often its webhook is retried.
CREATE UNIQUE INDEX messages_provider_id ON messages(tenant_id, provider, provider_message_id)
    WHERE provider_message_id IS NOT NULL;
CREATE INDEX messages_conversation ON messages(tenant_id, conversation_id, id);

CREATE TABLE consents (
    id          BLOB PRIMARY KEY,
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    patient_id  BLOB NOT NULL REFERENCES patients(id),
    channel     TEXT NOT NULL,
    state       TEXT NOT NULL,
    source      TEXT NOT NULL,
    at          INTEGER NOT NULL
);
CREATE INDEX consents_patient ON consents(tenant_id, patient_id, id);
