-- The oldest rows of the buckets this instance owns, in id (commit) order. A bucket whose head row waits for a
-- retry is left out (blocked): nothing later in it may overtake that row. The blocked buckets are read once
-- (an InitPlan over the small partial index outbox_retry_idx), so an idle poll is this one query.
-- No row lock is needed: one live owner per bucket.
select id, event_id, bucket, topic, event_key, payload, headers, traceparent, accepted_at, accepted_by, attempts
from outbox
where bucket = any(?::integer[])
  and bucket <> all(array(select bucket from outbox where next_attempt_at > now()))
order by id
limit ?
