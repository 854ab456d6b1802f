-- The oldest rows of the buckets this instance owns. No row lock is needed: one live owner per bucket.
select id, event_id, bucket, topic, event_key, payload, headers, traceparent, accepted_at, accepted_by, attempts
from outbox
where bucket = any(?::integer[])
order by id
limit ?
