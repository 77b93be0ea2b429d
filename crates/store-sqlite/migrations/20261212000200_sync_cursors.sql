-- Where a tenant's sync with a provider stands (a Gmail history id, a watch's expiry).
CREATE TABLE sync_cursors (
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    name        TEXT NOT NULL,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
