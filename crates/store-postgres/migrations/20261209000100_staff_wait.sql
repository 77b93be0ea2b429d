-- Since when a patient has been waiting for a person in a conversation handed to staff
-- (issue 14: staff response times); NULL when nobody is waiting.
ALTER TABLE conversations ADD COLUMN waiting_for_staff_since TIMESTAMPTZ;
