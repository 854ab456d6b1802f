-- Removes acknowledged rows and records where Kafka put them, but only for buckets this instance still owns
-- under the fence it claimed them with: a publisher that stalled past its lease deletes nothing. Returns the
-- rows completed (removed from the outbox by this statement) and this transaction's id, assigned after the claim's
-- snapshot was taken (BucketFloors waits for every transaction below it to end).
--
-- One statement, run in autocommit: PostgreSQL commits it without waiting for another message from the client,
-- so a publisher frozen right after sending it (SIGSTOP, a long pause) holds no lock on its lease rows, which
-- would keep the other instances from taking its buckets over. For the same reason synchronous_commit is relaxed
-- here, for this statement's own transaction, instead of by a `set local` before it: the records are already in
-- Kafka, so if PostgreSQL crashed before the WAL flush, the rows would come back and be sent again (duplicates
-- the consumers drop), never lost; waiting for the flush would put a disk sync in every publish cycle.
with sent as materialized (
    -- the acknowledged rows and where Kafka put them, as lists that line up (in id order, as the publisher sends
    -- them, the publication row keeps them as they are); binary arrays (pgjdbc's text encoding of arrays was 15 % of
    -- a lane's CPU), the ack times as microseconds since 1970
    select ?::bigint[] as ids, ?::bigint[] as published_micros, ?::integer[] as partitions, ?::bigint[] as offsets
), lease as (
    select l.bucket
    from bucket_leases l
    join unnest(?::integer[], ?::bigint[]) as f(bucket, fence) on f.bucket = l.bucket and f.fence = l.fence
    where l.owner = ?
      and (select set_config('synchronous_commit', 'off', true)) is not null
    for share of l
), deleted as (
    -- the id list is the primary key's index condition: PostgreSQL 17 sorts it and walks the index once, where a join
    -- descended from the root for every row. The lease is checked on each row found, by its own bucket (explain,
    -- generic plan: a filter on the primary-key scan, not a read of outbox_bucket_id_idx over all the owned buckets).
    delete from outbox o
    where o.id = any((select ids from sent)::bigint[])
      and o.bucket = any(array(select bucket from lease))
    returning o.id, o.event_id
), done as materialized (
    select count(*)::integer as completed, array_agg(id order by id) as ids,
           array_agg(event_id order by id) as event_ids
    from deleted
), recorded as (
    -- one publication row for the whole batch (V6__publication_batches.sql says why), of the rows this statement
    -- removed only: a row another owner completed first is not recorded twice. published_at is the database's now(),
    -- after every ack and on the clock accepted_at was taken by.
    insert into publication_batches (outbox_ids, published_at, event_count, event_ids, event_outbox_ids,
                                     published_micros, partitions, offsets)
    select int8range(d.ids[1], d.ids[d.completed], '[]'), now(), d.completed, d.event_ids, d.ids,
           p.published_micros, p.partitions, p.offsets
    from done d
    cross join sent s
    cross join lateral (
        -- every row sent was removed, and sent in id order: the lists are kept as they came
        select s.published_micros, s.partitions, s.offsets
        where d.ids = s.ids
        union all
        -- otherwise (part of the batch fenced out, rows another owner removed first, ids out of order or twice):
        -- the lists cut down to the removed rows, once each, in id order (rare, so a plain filter does)
        select array_agg(a.published_micros order by a.id), array_agg(a.kafka_partition order by a.id),
               array_agg(a.kafka_offset order by a.id)
        from (
            select distinct on (u.id) u.*
            from unnest(s.ids, s.published_micros, s.partitions, s.offsets)
                 as u(id, published_micros, kafka_partition, kafka_offset)
            where d.ids <> s.ids and u.id = any(d.ids)
            order by u.id
        ) a
        having count(*) > 0
    ) p
    where d.completed > 0
)
select completed, pg_current_xact_id()::text::bigint as transaction_id
from done
