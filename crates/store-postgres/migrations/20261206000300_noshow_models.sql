-- Per-clinic trained no-show models (issue 17): the newest is what scores appointments;
-- the metrics are those of the same training on the held-out most recent days.
CREATE TABLE noshow_models (
    tenant_id  UUID NOT NULL REFERENCES tenants(id),
    id         UUID NOT NULL,
    trained_at TIMESTAMPTZ NOT NULL,
    examples   BIGINT NOT NULL,
    no_shows   BIGINT NOT NULL,
    metrics    TEXT NOT NULL,
    kind       TEXT NOT NULL,
    model      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX noshow_models_latest ON noshow_models (tenant_id, trained_at);
