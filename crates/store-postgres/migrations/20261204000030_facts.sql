-- The fact log: what happened (appointment booked, message received, lead stage changed...),
-- once per fact id, in the order it was logged (seq). Payloads hold ids and states only.
CREATE TABLE facts (
    seq        BIGSERIAL PRIMARY KEY,
    tenant_id  UUID NOT NULL REFERENCES tenants(id),
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    payload    JSONB NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, id)
);
CREATE INDEX facts_by_tenant ON facts (tenant_id, seq);
