select e.event_id, e.topic, e.event_key, e.payload, e.headers, e.accepted_at, e.published_at,
       e.kafka_partition, e.kafka_offset, d.attempts as dead_attempts, d.reason as dead_reason
from events e
left join dead_letters d on d.event_id = e.event_id
where e.event_id = ?
