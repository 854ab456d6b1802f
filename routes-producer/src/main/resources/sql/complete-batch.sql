-- Removes acknowledged rows and records where Kafka put them, but only for buckets this instance still owns
-- under the fence it claimed them with: a publisher that stalled past its lease deletes nothing.
with lease as (
    select l.bucket
    from bucket_leases l
    join unnest(?::integer[], ?::bigint[]) as f(bucket, fence) on f.bucket = l.bucket and f.fence = l.fence
    where l.owner = ?
    for share of l
), published as (
    select p.*
    from unnest(?::bigint[], ?::uuid[], ?::integer[], ?::timestamptz[], ?::integer[], ?::bigint[])
         as p(id, event_id, bucket, published_at, kafka_partition, kafka_offset)
    where p.bucket in (select bucket from lease)
), deleted as (
    delete from outbox o using published p where o.id = p.id returning o.id
)
update events e
set published_at = p.published_at, kafka_partition = p.kafka_partition, kafka_offset = p.kafka_offset
from published p
where e.event_id = p.event_id
