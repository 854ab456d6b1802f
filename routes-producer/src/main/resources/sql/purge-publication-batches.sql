-- Bounded: publication batches recorded before the cutoff that purge-events.sql used in the same run (RetentionJob
-- runs this only once no published event accepted before it is left), oldest first, holding at most ? events in
-- all (always at least one batch). Returns the events whose publications were purged.
with candidates as (
    select id, event_count, sum(event_count) over (order by published_at, id) as running
    from (
        select id, event_count, published_at
        from publication_batches
        where published_at < ?
        order by published_at, id
        limit ?
    ) oldest
), doomed as (
    delete from publication_batches b
    using candidates c
    where b.id = c.id and (c.running <= ? or c.running = c.event_count)
    returning b.event_count
)
select coalesce(sum(event_count), 0) from doomed
