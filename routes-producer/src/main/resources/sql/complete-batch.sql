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
with lease as (
    select l.bucket
    from bucket_leases l
    join unnest(?::integer[], ?::bigint[]) as f(bucket, fence) on f.bucket = l.bucket and f.fence = l.fence
    where l.owner = ?
      and (select set_config('synchronous_commit', 'off', true)) is not null
    for share of l
), acked as (
    -- the lease is checked on this list, not on the outbox: given the outbox side, PostgreSQL may read every row of
    -- the owned buckets through outbox_bucket_id_idx (200 ms for 1,000 rows out of 100,000, explain analyze) where
    -- this shape probes the primary key 1,000 times
    select a.*
    from unnest(?::bigint[], ?::integer[], ?::bigint[], ?::integer[], ?::bigint[])
         as a(id, bucket, published_micros, kafka_partition, kafka_offset)
    where a.bucket in (select bucket from lease)
), deleted as (
    -- what the record needs comes back from the delete itself: a join of the two lists here is a nested loop of
    -- 1,000 x 1,000 rows once PostgreSQL caches a generic plan for the prepared statement
    delete from outbox o using acked a where o.id = a.id
    returning o.id, o.event_id, a.published_micros, a.kafka_partition, a.kafka_offset
), recorded as (
    -- one publication row for the whole batch (V6__publication_batches.sql says why), of the rows this statement
    -- removed only: a row another owner completed first is not recorded twice. The arrays come from one pass
    -- over the same rows, so their elements line up.
    insert into publication_batches (outbox_ids, published_at, event_count, event_ids, event_outbox_ids,
                                     published_micros, partitions, offsets)
    -- published_at is the database's now(), after every ack and on the clock accepted_at was taken by; the ack times
    -- come as microseconds since 1970 (binary bigint[]: pgjdbc's text encoding of arrays was 15 % of a lane's CPU)
    select int8range(min(id), max(id), '[]'), now(), count(*),
           array_agg(event_id), array_agg(id), array_agg(published_micros), array_agg(kafka_partition),
           array_agg(kafka_offset)
    from deleted
    having count(*) > 0
)
select count(*) as completed, pg_current_xact_id()::text::bigint as transaction_id
from deleted
