-- Back into the outbox as a new row: it is published after whatever its bucket holds now.
with moved as (
    delete from dead_letters where event_id = ? returning *
)
insert into outbox (event_id, bucket, topic, event_key, payload, headers, traceparent, accepted_at, accepted_by)
select event_id, bucket, topic, event_key, payload, headers, traceparent, accepted_at, accepted_by from moved
returning event_id
