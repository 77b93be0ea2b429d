-- The optional TOTP second factor of owners and admins, sessions still waiting for its code,
-- and one-time invitation links (only a hash of the link's token is stored).
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_enabled_at TIMESTAMPTZ;
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

ALTER TABLE sessions ADD COLUMN awaiting_code BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE invites (
    token_hash TEXT PRIMARY KEY,
    tenant_id  UUID NOT NULL REFERENCES tenants(id),
    user_id    UUID NOT NULL REFERENCES users(id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX invites_user ON invites (tenant_id, user_id);
