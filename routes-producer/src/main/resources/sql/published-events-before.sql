-- Whether any published event accepted before the cutoff is still there: publication batches before the cutoff are
-- purged only when none is, whichever instance purged the events.
select exists (select from settled_events where accepted_at < ?)
