-- A conversation with a red-flag symptom (an emergency): staff look at it first.
ALTER TABLE conversations ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
