-- Request counts per fixed window, shared by every process on this database so rate
-- limits hold for the whole deployment. `key` is a keyed hash of (caller, route); rows of
-- past windows are deleted by the processes that write them. UNLOGGED: the counts live a
-- minute, are rewritten several times a second, and losing them in a crash only forgets a
-- minute of counting, so they need not cost WAL (nor reach replicas).
CREATE UNLOGGED TABLE rate_counts (
    key          BIGINT NOT NULL,
    window_start BIGINT NOT NULL,
    count        BIGINT NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_counts_by_window ON rate_counts(window_start);
