-- Bounded: published events accepted before the cutoff (the first parameter), at most the second per statement. An
-- event is published once it is neither in the outbox (pending) nor a dead letter (purged with its own age):
-- ingest, completion, dead-lettering and replay each move an event between these in one statement. Pending events
-- are never purged. Returns the events purged.
with doomed as (
    select e.event_id
    from events e
    where e.accepted_at < ?
      and not exists (select from outbox o where o.event_id = e.event_id)
      and not exists (select from dead_letters d where d.event_id = e.event_id)
    limit ?
), legacy as (
    -- publications recorded per event, before V6__publication_batches.sql
    delete from event_publications p using doomed d where p.event_id = d.event_id
)
delete from events e using doomed d where e.event_id = d.event_id
