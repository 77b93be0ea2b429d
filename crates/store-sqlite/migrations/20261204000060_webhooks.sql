-- Outbound webhooks (Standard Webhooks) to the clinic's own systems: where each tenant
-- wants which events sent, with the secrets that sign them (the previous one keeps signing
-- until previous_expires_at after a rotation), and the log of deliveries with their
-- attempts. One delivery per fact and subscription: a fact seen twice is sent once.
CREATE TABLE webhook_subscriptions (
    id                  BLOB PRIMARY KEY,
    tenant_id           BLOB NOT NULL REFERENCES tenants(id),
    url                 TEXT NOT NULL,
    event_types         TEXT NOT NULL,
    description         TEXT,
    enabled             BOOLEAN NOT NULL,
    secret              TEXT NOT NULL,
    previous_secret     TEXT,
    previous_expires_at INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id, created_at);

CREATE TABLE webhook_deliveries (
    id              BLOB PRIMARY KEY,
    tenant_id       BLOB NOT NULL REFERENCES tenants(id),
    subscription_id BLOB NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
    fact_id         TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    body            TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    last_status     BIGINT,
    last_error      TEXT,
    next_attempt_at INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    UNIQUE (tenant_id, subscription_id, fact_id)
);
CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries (tenant_id, created_at);
CREATE INDEX webhook_deliveries_state ON webhook_deliveries (tenant_id, state, created_at);
