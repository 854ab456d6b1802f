-- Whether any published event accepted before the cutoff is still there (purge-events.sql's condition): publication
-- batches before the cutoff are purged only when none is, whichever instance purged the events.
select exists (
    select
    from events e
    where e.accepted_at < ?
      and not exists (select from outbox o where o.event_id = e.event_id)
      and not exists (select from dead_letters d where d.event_id = e.event_id)
)
