-- CSV imports started from the staff app: the file, run by a durable job, with its progress
-- and per-row report for the page that watches it.
CREATE TABLE lead_imports (
    id         UUID PRIMARY KEY,
    tenant_id  UUID NOT NULL REFERENCES tenants(id),
    actor      TEXT NOT NULL,
    status     TEXT NOT NULL,
    rows_total BIGINT NOT NULL,
    rows_done  BIGINT NOT NULL,
    summary    TEXT,
    error      TEXT,
    file       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX lead_imports_tenant ON lead_imports (tenant_id, created_at);
