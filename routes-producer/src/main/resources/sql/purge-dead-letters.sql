-- Bounded: dead letters from before the cutoff (the first parameter), at most the second per statement, with their
-- events rows (a dead letter has no publication, so the events retention never takes it). Returns the dead letters
-- purged.
with doomed as (
    select event_id from dead_letters where dead_lettered_at < ? limit ?
), history as (
    delete from events e using doomed x where e.event_id = x.event_id
)
delete from dead_letters d using doomed x where d.event_id = x.event_id
