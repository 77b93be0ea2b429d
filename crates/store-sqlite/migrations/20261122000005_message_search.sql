-- Accent- and case-insensitive message search (see frontdesk_domain::messaging::search_key).
ALTER TABLE messages ADD COLUMN search_text TEXT;
