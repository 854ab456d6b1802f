select consumer_group, event_id, seq, event_key, kafka_partition, kafka_offset, accepted_at, processed_at
from processed_events
where consumer_group = ? and event_key = ? and seq > ?
order by seq
limit ?
