-- The oldest rows of the buckets this instance owns, in id (commit) order, from a floor below which these buckets
-- hold no row and will not (BucketFloors: it skips the entries of rows deleted and not yet vacuumed). A bucket whose
-- head row waits for a retry is left out (blocked): nothing later in it may overtake that row. The blocked buckets
-- are read once (an InitPlan over the small partial index outbox_retry_idx), so an idle poll is this one query.
-- Every row also carries what BucketFloors learns from: the statement's snapshot xmin and the blocked buckets.
-- No row lock is needed: one live owner per bucket.
--
-- A claim holds at most a row count and a byte budget: it ends with the row that brings its payloads and headers to
-- the budget (the first row always comes, however large), so a backlog of large events cannot fill the heap.
-- Summing the sizes as rows come takes a window aggregate, which copies every row; so when no row over 2 KB is in
-- the claim's range (outbox_large_idx, V7) and the row count times 2 KB fits the budget, the first branch reads the
-- rows without it. Only one branch runs (the other's one-time filter is false). Sizes come from the values'
-- headers, without decompressing them; rows past the budget are read up to the row count and dropped unsent.
with blocked as materialized (
    select array(select bucket from outbox where next_attempt_at > now()) as buckets
), snapshot as materialized (
    select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as xmin
), large as materialized (
    -- the first row over 2 KB in the claim's range (buckets, floor)
    select min(o.id) as id
    from outbox o
    where octet_length(o.payload) + coalesce(octet_length(o.headers), 0) > 2048
      and o.bucket = any(?::integer[])
      and o.id >= ?
)
(
    -- no row over 2 KB in range, and row count x 2 KB within the budget (true from the caller): rows as they are
    select o.id, o.event_id, o.bucket, o.topic, o.event_key, o.payload, o.headers, o.traceparent, o.accepted_at,
           o.accepted_by, o.attempts, snapshot.xmin as snapshot_xmin, blocked.buckets as blocked,
           null::bigint as claimed_bytes
    from outbox o, blocked, snapshot
    where ? and (select id from large) is null
      and o.bucket = any(?::integer[])
      and o.bucket <> all(blocked.buckets)
      and o.id >= ?
    order by o.id
    limit ?
)
union all
(
    -- otherwise: the sizes summed as rows come, up to the row that crosses the budget
    select c.id, c.event_id, c.bucket, c.topic, c.event_key, c.payload, c.headers, c.traceparent, c.accepted_at,
           c.accepted_by, c.attempts, c.snapshot_xmin, c.blocked, c.claimed_bytes
    from (
        select o.*, snapshot.xmin as snapshot_xmin, blocked.buckets as blocked,
               sum(octet_length(o.payload) + coalesce(octet_length(o.headers), 0))
                   over (order by o.id rows unbounded preceding) as claimed_bytes,
               octet_length(o.payload) + coalesce(octet_length(o.headers), 0) as row_bytes
        from outbox o, blocked, snapshot
        where not (? and (select id from large) is null)
          and o.bucket = any(?::integer[])
          and o.bucket <> all(blocked.buckets)
          and o.id >= ?
        order by o.id
        limit ?
    ) c
    where c.claimed_bytes - c.row_bytes < ?
)
order by id
