-- Outreach campaigns (issue 15): an audience (segment, JSON), steps (JSON) and a sending
-- window; and each patient's enrollment, unique per campaign, so enrolling a page of the
-- audience again after a restart adds only who is missing.
CREATE TABLE campaigns (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id),
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    segment      TEXT NOT NULL,
    steps        TEXT NOT NULL,
    send_window  TEXT NOT NULL,
    status       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);
CREATE INDEX campaigns_tenant ON campaigns (tenant_id, id);

CREATE TABLE campaign_enrollments (
    id           BLOB PRIMARY KEY,
    tenant_id    BLOB NOT NULL REFERENCES tenants(id),
    campaign_id  BLOB NOT NULL REFERENCES campaigns(id),
    patient_id   BLOB NOT NULL REFERENCES patients(id),
    state        TEXT NOT NULL,
    steps_sent   BIGINT NOT NULL,
    last_sent_at INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (campaign_id, patient_id)
);
CREATE INDEX campaign_enrollments_state ON campaign_enrollments (tenant_id, campaign_id, state);
CREATE INDEX campaign_enrollments_patient ON campaign_enrollments (tenant_id, patient_id);
