-- Back into the outbox as a new row: it is published after whatever its bucket holds now. Its event keeps the new
-- outbox id, by which the status lookup finds the publication.
with moved as (
    delete from dead_letters where event_id = ? returning *
), queued as (
    insert into outbox (event_id, bucket, topic, event_key, payload, headers, traceparent, accepted_at, accepted_by)
    select event_id, bucket, topic, event_key, payload, headers, traceparent, accepted_at, accepted_by from moved
    returning id, event_id
), history as (
    update events e set outbox_id = q.id from queued q where e.event_id = q.event_id
)
select event_id from queued
