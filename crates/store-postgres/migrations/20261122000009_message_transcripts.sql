-- What the patient said in a voice note, once transcribed. The message's search_text
-- then covers the body and the transcript (see frontdesk_domain::messaging::Message::search_text).
ALTER TABLE messages ADD COLUMN transcript TEXT;
