-- Patients' data rights: per-tenant retention, the reports of retention runs, the record
-- that a patient was erased (no personal data: ids and an instant), and indexes for
-- searching the audit trail by actor, action and period.
CREATE TABLE retention_policies (
    tenant_id   BLOB PRIMARY KEY REFERENCES tenants(id),
    body        TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE retention_reports (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id),
    actor        TEXT NOT NULL,
    dry_run      BOOLEAN NOT NULL,
    body         TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL
);
CREATE INDEX retention_reports_tenant ON retention_reports (tenant_id, id);

CREATE TABLE patient_erasures (
    tenant_id   BLOB NOT NULL REFERENCES tenants(id),
    patient_id  BLOB NOT NULL REFERENCES patients(id),
    erased_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, patient_id)
);

CREATE INDEX audit_log_actor ON audit_log (tenant_id, actor, id);
CREATE INDEX audit_log_action ON audit_log (tenant_id, action, id);
CREATE INDEX audit_log_at ON audit_log (tenant_id, at);
CREATE INDEX messages_created ON messages (tenant_id, created_at);
