-- A clinic's patients in id order: a campaign's audience pages through them (and the
-- patient list pages the same way). Without it the only index with the tenant first is
-- (tenant_id, phone), so every page sorted all of the clinic's patients to take 500.
CREATE INDEX patients_by_tenant ON patients (tenant_id, id);
