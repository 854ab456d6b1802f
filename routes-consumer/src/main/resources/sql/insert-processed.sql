-- One statement per batch, in the batch's order (seq follows it); duplicates of an event insert nothing.
insert into processed_events (consumer_group, processed_by, event_id, event_key, topic, kafka_partition, kafka_offset,
                              accepted_at, traceparent, processed_at)
select ?, ?, i.event_id, i.event_key, i.topic, i.kafka_partition, i.kafka_offset, i.accepted_at, i.traceparent,
       clock_timestamp()
from unnest(?::uuid[], ?::text[], ?::text[], ?::integer[], ?::bigint[], ?::timestamptz[], ?::text[])
     with ordinality as i(event_id, event_key, topic, kafka_partition, kafka_offset, accepted_at, traceparent, position)
order by i.position
on conflict (consumer_group, event_id) do nothing
returning event_id
