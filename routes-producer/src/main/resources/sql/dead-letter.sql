with moved as (
    delete from outbox where id = ? returning *
)
insert into dead_letters (event_id, bucket, topic, event_key, payload, headers, traceparent, accepted_at, accepted_by,
                          attempts, reason)
select event_id, bucket, topic, event_key, payload, headers, traceparent, accepted_at, accepted_by, attempts + 1, ?
from moved
