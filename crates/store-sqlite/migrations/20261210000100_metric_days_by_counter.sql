-- A counter's days, and a split counter's rows by their name's prefix (`appointments_no_show@practitioner=`):
-- series, totals and breakdowns read a few hundred rows instead of every counter of the
-- period, from the index alone (it holds the value). Ordered byte-wise, as the queries compare.
CREATE INDEX metric_days_by_counter ON metric_days (tenant_id, counter, day, value);
