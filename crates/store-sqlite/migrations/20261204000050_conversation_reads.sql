-- What each person has read of each conversation: the moment they last looked at it.
-- The patient's messages after that moment are unread for them.
CREATE TABLE conversation_reads (
    tenant_id        BLOB NOT NULL REFERENCES tenants(id),
    user_id          BLOB NOT NULL,
    conversation_id  BLOB NOT NULL REFERENCES conversations(id),
    read_at          INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id, conversation_id)
);
