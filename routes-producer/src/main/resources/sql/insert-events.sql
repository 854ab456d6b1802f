-- One statement writes every event of the request and its outbox row: atomic without an explicit
-- transaction. Outbox ids follow request order (ordinality), which is the publishing order per bucket; each event
-- keeps its outbox id, by which the status lookup finds its publication batch.
with input as (
    select *
    from unnest(?::uuid[], ?::integer[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
         with ordinality as i(event_id, bucket, topic, event_key, payload, headers, traceparent, position)
), queued as (
    insert into outbox (event_id, bucket, topic, event_key, payload, headers, traceparent, accepted_at, accepted_by)
    select event_id, bucket, topic, event_key, payload, headers, traceparent, now(), ?
    from input
    -- a transaction id before the first outbox id is drawn (a one-time filter, evaluated before any row): the
    -- publisher's claim floors rely on it (BucketFloors)
    where (select pg_current_xact_id()) is not null
    order by position
    returning id, event_id, topic, event_key, payload, headers, traceparent
)
insert into events (event_id, topic, event_key, payload, headers, traceparent, accepted_at, accepted_by,
                    idempotency_key, outbox_id)
select event_id, topic, event_key, payload, headers, traceparent, now(), ?, ?, id
from queued
returning now()
