-- Optimistic concurrency: leads, conversations, patients and tenant settings carry a
-- version that every write moves on. A client that read version n saves only if the row
-- is still at n (`UPDATE ... WHERE version = n`); otherwise it is told the record changed.
-- Existing rows start at 1.
ALTER TABLE leads ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE conversations ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE patients ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tenant_settings ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
