-- Bounded: published events (settled_events, V6) accepted before the cutoff (the first parameter), at most the second
-- per statement. Pending events are never purged. Returns the events purged.
with doomed as (
    select event_id from settled_events where accepted_at < ? limit ?
), legacy as (
    -- publications recorded per event, before V6__publication_batches.sql
    delete from event_publications p using doomed d where p.event_id = d.event_id
)
delete from events e using doomed d where e.event_id = d.event_id
