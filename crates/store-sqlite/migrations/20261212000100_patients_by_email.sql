-- Inbound e-mail finds its patient by address, compared without case.
CREATE INDEX patients_by_email ON patients (tenant_id, lower(email));
