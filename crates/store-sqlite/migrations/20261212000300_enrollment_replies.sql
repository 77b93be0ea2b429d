-- When the patient first replied to the campaign (its "engaged" figure).
ALTER TABLE campaign_enrollments ADD COLUMN replied_at INTEGER;
