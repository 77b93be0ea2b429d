-- Labels staff (or a lead's source) put on a patient ("vip", "ortodontia"): a campaign's
-- segment may ask for them. Looked up by tag when an audience is built.
CREATE TABLE patient_tags (
    tenant_id   UUID NOT NULL REFERENCES tenants(id),
    patient_id  UUID NOT NULL REFERENCES patients(id),
    tag         TEXT NOT NULL,
    PRIMARY KEY (tenant_id, patient_id, tag)
);
CREATE INDEX patient_tags_by_tag ON patient_tags (tenant_id, tag, patient_id);
