-- What each person has read of each conversation: the moment they last looked at it.
-- The patient's messages after that moment are unread for them.
CREATE TABLE conversation_reads (
    tenant_id        UUID NOT NULL REFERENCES tenants(id),
    user_id          UUID NOT NULL,
    conversation_id  UUID NOT NULL REFERENCES conversations(id),
    read_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, user_id, conversation_id)
);
