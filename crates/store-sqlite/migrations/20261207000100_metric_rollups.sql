-- Analytics (issue 14): per-day sums of the clinic's counters (docs/metrics.md), and how
-- far into the fact log they have counted. Days are local dates as 'YYYY-MM-DD'.
CREATE TABLE metric_days (
    tenant_id BLOB NOT NULL REFERENCES tenants(id),
    day       TEXT NOT NULL,
    counter   TEXT NOT NULL,
    value     REAL NOT NULL,
    PRIMARY KEY (tenant_id, day, counter)
);
CREATE TABLE metric_cursors (
    tenant_id BLOB PRIMARY KEY REFERENCES tenants(id),
    fact_seq  INTEGER NOT NULL
);
