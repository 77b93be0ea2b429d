-- The tone of the patient's latest message in a conversation, and when it last turned
-- negative from a calmer one (issue 14: patient sentiment; the conversations that turned
-- negative are listed newest first).
ALTER TABLE conversations ADD COLUMN sentiment TEXT;
ALTER TABLE conversations ADD COLUMN turned_negative_at INTEGER;
CREATE INDEX conversations_turned_negative ON conversations (tenant_id, turned_negative_at)
    WHERE turned_negative_at IS NOT NULL;
