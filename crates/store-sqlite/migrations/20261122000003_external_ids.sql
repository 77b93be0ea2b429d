-- Ids of our rows in external systems (e.g. a practitioner's Ninsaúde professional id).
CREATE TABLE external_ids (
    tenant_id    BLOB NOT NULL REFERENCES tenants(id),
    system       TEXT NOT NULL,
    resource     TEXT NOT NULL,
    local_id     BLOB NOT NULL,
    external_id  TEXT NOT NULL,
    PRIMARY KEY (tenant_id, system, resource, local_id),
    UNIQUE (tenant_id, system, resource, external_id)
);
