-- Request counts per fixed window, shared by every process on this database so rate
-- limits hold for the whole deployment. `key` is a keyed hash of (caller, route); rows of
-- past windows are deleted by the processes that write them.
CREATE TABLE rate_counts (
    key          INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    count        INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
) WITHOUT ROWID;
CREATE INDEX rate_counts_by_window ON rate_counts(window_start);
