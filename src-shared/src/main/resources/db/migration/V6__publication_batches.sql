-- Where Kafka put each published event, one row per completed publish batch instead of one event_publications row
-- per event. Recording a publication per event was a third of the database's cost of a drain (pgbench here: a
-- 1,000-row claim-and-delete 203-205 batches/s, with the per-event insert 129-148/s), and the completion statement,
-- with its insert, took 13.5-18.6 ms of 1,000 rows where the delete alone took 4.8 (pg_stat_statements, one-instance
-- drains of bench.sh drain).
-- A batch row holds its events' ids, outbox ids, ack times, partitions and offsets as arrays (one toasted row, one
-- entry per index); an event finds its batch through the outbox id it was accepted with (events.outbox_id) and
-- the range of ids its batch covers, and checks its event id there (an outbox identity restarted by hand reuses
-- ids).
create table publication_batches (
    id               bigint    generated always as identity primary key,
    outbox_ids       int8range not null,        -- [lowest, highest] outbox id of the batch's events
    published_at     timestamptz not null,      -- when it was recorded, by the database's clock as accepted_at is
                                                --   (retention compares the two with one cutoff)
    event_count      integer   not null,        -- how many events it holds (retention's bound per statement)
    event_ids        uuid[]    not null,        -- per event, in the same order in every array
    event_outbox_ids bigint[]  not null,
    published_micros bigint[]  not null,        -- when Kafka acknowledged it, microseconds since 1970
    partitions       integer[] not null,
    offsets          bigint[]  not null
);
-- Out of line and not compressed: pglz took about 2 ms per 1,000-event batch here (pgbench, a batch row insert:
-- 2.8-2.9 ms compressed, 0.85-0.92 ms not, without the event ids), for 10.5 KB stored instead of 34 KB (50 KB with
-- the event ids; an event_publications row and its index entry took about 100 bytes per event).
alter table publication_batches
    alter column event_ids set storage external,
    alter column event_outbox_ids set storage external,
    alter column published_micros set storage external,
    alter column partitions set storage external,
    alter column offsets set storage external;
-- a lookup probes the few batches whose range holds the event's outbox id (the lanes' batches interleave)
create index publication_batches_outbox_ids_idx on publication_batches using gist (outbox_ids);
create index publication_batches_published_at_idx on publication_batches (published_at);

-- The outbox row an event was accepted with (a replayed dead letter gets its new one). Null for events published or
-- dead-lettered before this migration: their publications stay in event_publications, which only the status lookup
-- reads and the retention empties; a later migration can drop it once it is empty.
alter table events add column outbox_id bigint;
-- Events still pending keep their publication visible once the new publisher sends them. Upgrade note: producers
-- older than this migration accept events without an outbox id, whose publications the status lookup would not
-- find: stop the old producers, then start the new ones (as for V4).
update events e set outbox_id = o.id from outbox o where o.event_id = e.event_id;

-- Where each event was published, whichever table holds it: the status lookup reads this for one event.
create view published_events as
select e.event_id, p.published_at, p.kafka_partition, p.kafka_offset
from events e
cross join lateral (
    -- interval arithmetic keeps every microsecond of the ack time, which to_timestamp() would not
    select timestamptz 'epoch' + b.published_micros[i] * interval '1 microsecond' as published_at,
           b.partitions[i] as kafka_partition, b.offsets[i] as kafka_offset
    from publication_batches b
    cross join lateral array_position(b.event_outbox_ids, e.outbox_id) as i
    where b.outbox_ids @> e.outbox_id
      and b.event_ids[i] = e.event_id
    union all
    select l.published_at, l.kafka_partition, l.kafka_offset
    from event_publications l
    where l.event_id = e.event_id
    order by published_at desc
    limit 1
) p;

-- Events no longer pending and not dead letters: published, whichever table recorded it. Ingest, completion,
-- dead-lettering and replay each move an event between the outbox, this and dead_letters in one statement. The
-- retention purges these past their age (purge-events.sql) and purges publication batches only when none is left
-- before its cutoff (published-events-before.sql).
create view settled_events as
select e.event_id, e.accepted_at
from events e
where not exists (select from outbox o where o.event_id = e.event_id)
  and not exists (select from dead_letters d where d.event_id = e.event_id);
