-- A per-tenant counter bumped by triggers on every change that can alter free time, so
-- a process can reuse a cached calendar while the counter stays the same.
CREATE TABLE calendar_versions (
    tenant_id  UUID PRIMARY KEY REFERENCES tenants(id),
    version    BIGINT NOT NULL
);

CREATE FUNCTION bump_calendar_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO calendar_versions (tenant_id, version)
    VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET version = calendar_versions.version + 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER appointments_calendar AFTER INSERT OR UPDATE OR DELETE ON appointments
    FOR EACH ROW EXECUTE FUNCTION bump_calendar_version();
CREATE TRIGGER practitioners_calendar AFTER INSERT OR UPDATE OR DELETE ON practitioners
    FOR EACH ROW EXECUTE FUNCTION bump_calendar_version();
CREATE TRIGGER services_calendar AFTER INSERT OR UPDATE OR DELETE ON services
    FOR EACH ROW EXECUTE FUNCTION bump_calendar_version();
CREATE TRIGGER locations_calendar AFTER INSERT OR UPDATE OR DELETE ON locations
    FOR EACH ROW EXECUTE FUNCTION bump_calendar_version();
CREATE TRIGGER weekly_hours_calendar AFTER INSERT OR UPDATE OR DELETE ON weekly_hours
    FOR EACH ROW EXECUTE FUNCTION bump_calendar_version();
CREATE TRIGGER schedule_exceptions_calendar AFTER INSERT OR UPDATE OR DELETE ON schedule_exceptions
    FOR EACH ROW EXECUTE FUNCTION bump_calendar_version();
CREATE TRIGGER tenant_settings_calendar AFTER INSERT OR UPDATE OR DELETE ON tenant_settings
    FOR EACH ROW EXECUTE FUNCTION bump_calendar_version();
CREATE TRIGGER external_ids_calendar AFTER INSERT OR UPDATE OR DELETE ON external_ids
    FOR EACH ROW EXECUTE FUNCTION bump_calendar_version();
