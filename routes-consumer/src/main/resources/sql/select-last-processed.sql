select max(processed_at) from processed_events where consumer_group = ?
