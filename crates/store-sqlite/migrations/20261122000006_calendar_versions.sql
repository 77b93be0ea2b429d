-- A per-tenant counter bumped by triggers on every change that can alter free time, so
-- a process can reuse a cached calendar while the counter stays the same.
CREATE TABLE calendar_versions (
    tenant_id  BLOB PRIMARY KEY REFERENCES tenants(id),
    version    INTEGER NOT NULL
);
INSERT INTO calendar_versions (tenant_id, version) SELECT id, 0 FROM tenants;

-- Rows are created with the tenant, so the triggers below only ever UPDATE: a trigger's
-- own conflict clause would be overridden by an outer upsert's.
CREATE TRIGGER tenants_calendar_insert AFTER INSERT ON tenants BEGIN
    INSERT INTO calendar_versions (tenant_id, version) VALUES (NEW.id, 0);
END;

CREATE TRIGGER appointments_calendar_insert AFTER INSERT ON appointments BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER appointments_calendar_update AFTER UPDATE ON appointments BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER appointments_calendar_delete AFTER DELETE ON appointments BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
CREATE TRIGGER practitioners_calendar_insert AFTER INSERT ON practitioners BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER practitioners_calendar_update AFTER UPDATE ON practitioners BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER practitioners_calendar_delete AFTER DELETE ON practitioners BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
CREATE TRIGGER services_calendar_insert AFTER INSERT ON services BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER services_calendar_update AFTER UPDATE ON services BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER services_calendar_delete AFTER DELETE ON services BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
CREATE TRIGGER locations_calendar_insert AFTER INSERT ON locations BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER locations_calendar_update AFTER UPDATE ON locations BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER locations_calendar_delete AFTER DELETE ON locations BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
CREATE TRIGGER weekly_hours_calendar_insert AFTER INSERT ON weekly_hours BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER weekly_hours_calendar_update AFTER UPDATE ON weekly_hours BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER weekly_hours_calendar_delete AFTER DELETE ON weekly_hours BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
CREATE TRIGGER schedule_exceptions_calendar_insert AFTER INSERT ON schedule_exceptions BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER schedule_exceptions_calendar_update AFTER UPDATE ON schedule_exceptions BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER schedule_exceptions_calendar_delete AFTER DELETE ON schedule_exceptions BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
CREATE TRIGGER tenant_settings_calendar_insert AFTER INSERT ON tenant_settings BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER tenant_settings_calendar_update AFTER UPDATE ON tenant_settings BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER tenant_settings_calendar_delete AFTER DELETE ON tenant_settings BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
CREATE TRIGGER external_ids_calendar_insert AFTER INSERT ON external_ids BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER external_ids_calendar_update AFTER UPDATE ON external_ids BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = NEW.tenant_id;
END;
CREATE TRIGGER external_ids_calendar_delete AFTER DELETE ON external_ids BEGIN
    UPDATE calendar_versions SET version = version + 1 WHERE tenant_id = OLD.tenant_id;
END;
