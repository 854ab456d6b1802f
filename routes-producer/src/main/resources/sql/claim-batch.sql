-- The oldest rows of the buckets this instance owns, in id (commit) order, from a floor below which these buckets
-- hold no row and will not (BucketFloors: it skips the entries of rows deleted and not yet vacuumed). A bucket whose
-- head row waits for a retry is left out (blocked): nothing later in it may overtake that row. The blocked buckets
-- are read once (an InitPlan over the small partial index outbox_retry_idx), so an idle poll is this one query.
-- Every row also carries what BucketFloors learns from: the statement's snapshot xmin and the blocked buckets.
-- No row lock is needed: one live owner per bucket.
--
-- A claim holds at most a row count and a byte budget: it ends with the row that brings its payloads and headers to
-- the budget (the first row always comes, however large), so a backlog of large events cannot fill the heap. The
-- sizes are summed as the rows come (octet_length reads a stored value's size without decompressing it); rows past
-- the budget are read up to the row count and dropped, before their payloads are sent.
with blocked as materialized (
    select array(select bucket from outbox where next_attempt_at > now()) as buckets
), snapshot as materialized (
    select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as xmin
)
select c.*
from (
    select o.id, o.event_id, o.bucket, o.topic, o.event_key, o.payload, o.headers, o.traceparent, o.accepted_at,
           o.accepted_by, o.attempts, snapshot.xmin as snapshot_xmin, blocked.buckets as blocked,
           sum(octet_length(o.payload) + coalesce(octet_length(o.headers), 0))
               over (order by o.id rows unbounded preceding) as claimed_bytes,
           octet_length(o.payload) + coalesce(octet_length(o.headers), 0) as row_bytes
    from outbox o, blocked, snapshot
    where o.bucket = any(?::integer[])
      and o.bucket <> all(blocked.buckets)
      and o.id >= ?
    order by o.id
    limit ?
) c
where c.claimed_bytes - c.row_bytes < ?
order by c.id
