-- Bounded: publication batches whose last acknowledgement is older than the event retention (their events,
-- accepted before it, go by purge-events.sql), oldest first, holding at most ? events in all (always at least one
-- batch). Returns the events whose publication rows were purged.
with candidates as (
    select id, events, sum(events) over (order by published_at, id) as running
    from (
        select id, events, published_at
        from publication_batches
        where published_at < now() - make_interval(secs => ?)
        order by published_at, id
        limit ?
    ) oldest
), doomed as (
    delete from publication_batches b
    using candidates c
    where b.id = c.id and (c.running <= ? or c.running = c.events)
    returning b.events
)
select coalesce(sum(events), 0) from doomed
