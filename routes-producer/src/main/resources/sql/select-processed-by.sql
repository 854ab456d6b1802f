select consumer_group, processed_at from processed_events where event_id = ? order by consumer_group
