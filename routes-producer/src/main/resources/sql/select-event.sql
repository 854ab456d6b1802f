select e.event_id, e.topic, e.event_key, e.payload, e.headers, e.accepted_at, e.published_at,
       e.kafka_partition, e.kafka_offset, o.attempts, o.last_error
from events e
left join outbox o on o.event_id = e.event_id
where e.event_id = ?
