-- When the last page of a running campaign's audience was enrolled (NULL until then, and
-- again after a resume): a campaign completes once that is set and nobody is active.
ALTER TABLE campaigns ADD COLUMN audience_enrolled_at INTEGER;
