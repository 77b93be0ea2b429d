-- Analytics (issue 14): per-day sums of the clinic's counters (docs/metrics.md), and how
-- far into the fact log they have counted. Days are local dates as 'YYYY-MM-DD'.
CREATE TABLE metric_days (
    tenant_id UUID NOT NULL REFERENCES tenants(id),
    day       TEXT NOT NULL,
    counter   TEXT NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (tenant_id, day, counter)
);
CREATE TABLE metric_cursors (
    tenant_id UUID PRIMARY KEY REFERENCES tenants(id),
    fact_seq  BIGINT NOT NULL
);
