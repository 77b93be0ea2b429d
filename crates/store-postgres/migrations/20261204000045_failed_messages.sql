-- The Today page lists sends that failed recently; only those rows are indexed.
CREATE INDEX messages_failed ON messages(tenant_id, created_at) WHERE status = 'failed';
