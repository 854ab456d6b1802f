-- The oldest rows of the buckets this instance owns, in id (commit) order, from a floor below which these buckets
-- hold no row and will not (BucketFloors: it skips the entries of rows deleted and not yet vacuumed). A bucket whose
-- head row waits for a retry is left out (blocked): nothing later in it may overtake that row. The blocked buckets
-- are read once (an InitPlan over the small partial index outbox_retry_idx), so an idle poll is this one query.
-- Every row also carries what BucketFloors learns from: the statement's snapshot xmin and the blocked buckets.
-- No row lock is needed: one live owner per bucket.
--
-- A claim holds at most a row count and a byte budget: it ends with the row that brings its payloads and headers to
-- the budget (the first row always comes, however large), so a backlog of large events cannot fill the heap. The
-- cut keeps an id-order prefix, as BucketFloors needs (it learns from the last row's id; hence the final order by).
-- Summing sizes takes a window aggregate, which copies every row: it runs only when the claim's range holds a row
-- over 2 KB (outbox_large_idx, V7) or the row count times 2 KB exceeds the budget. One branch runs; the other's
-- one-time filter is false. Sizes are read from the values' headers, without decompressing them.
with blocked as materialized (
    select array(select bucket from outbox where next_attempt_at > now()) as buckets
), snapshot as materialized (
    select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as xmin
), plain as materialized (
    -- the first parameter: whether the row count times 2 KB fits the budget (OutboxRepository); the predicate is
    -- outbox_large_idx's word for word, 2048 as OutboxRepository.SMALL_ROW_BYTES
    select ?::boolean and not exists (
        select 1
        from outbox o, blocked
        where octet_length(o.payload) + coalesce(octet_length(o.headers), 0) > 2048
          and o.bucket = any(?::integer[])
          and o.bucket <> all(blocked.buckets)
          and o.id >= ?
    ) as rows_as_they_are
), claimed as not materialized (
    -- the claim's rows (inlined into the branch that runs, so read once)
    select o.id, o.event_id, o.bucket, o.topic, o.event_key, o.payload, o.headers, o.traceparent, o.accepted_at,
           o.accepted_by, o.attempts, snapshot.xmin as snapshot_xmin, blocked.buckets as blocked
    from outbox o, blocked, snapshot
    where o.bucket = any(?::integer[])
      and o.bucket <> all(blocked.buckets)
      and o.id >= ?
    order by o.id
    limit ?
)
(
    select c.*, null::bigint as claimed_bytes -- read as 0: the row count decides whether the claim is full
    from claimed c
    where (select rows_as_they_are from plain)
    order by c.id
)
union all
(
    select s.id, s.event_id, s.bucket, s.topic, s.event_key, s.payload, s.headers, s.traceparent, s.accepted_at,
           s.accepted_by, s.attempts, s.snapshot_xmin, s.blocked, s.claimed_bytes
    from (
        select c.*, octet_length(c.payload) + coalesce(octet_length(c.headers), 0) as row_bytes,
               sum(octet_length(c.payload) + coalesce(octet_length(c.headers), 0))
                   over (order by c.id rows unbounded preceding) as claimed_bytes
        from claimed c
        where not (select rows_as_they_are from plain)
    ) s
    where s.claimed_bytes - s.row_bytes < ?
    order by s.id
)
order by id
