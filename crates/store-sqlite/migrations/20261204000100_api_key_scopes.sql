-- What each API key may do: comma-separated scope names (full, read_only, webhooks,
-- assistant). Keys issued before scopes existed keep doing everything.
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'full';
