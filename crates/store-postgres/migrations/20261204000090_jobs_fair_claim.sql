-- Job claims go round-robin by tenant: the tenants with queued jobs and each one's
-- earliest due jobs are read from this index (one tenant's backlog never hides another's).
CREATE INDEX jobs_queued_by_tenant ON jobs(tenant_id, run_at) WHERE status = 'queued';
