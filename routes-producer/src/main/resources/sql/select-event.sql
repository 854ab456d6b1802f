select e.event_id, e.topic, e.event_key, e.payload, e.headers, e.accepted_at, p.published_at,
       p.kafka_partition, p.kafka_offset, d.attempts as dead_attempts, d.reason as dead_reason
from events e
left join published_events p on p.event_id = e.event_id
left join dead_letters d on d.event_id = e.event_id
where e.event_id = ?
