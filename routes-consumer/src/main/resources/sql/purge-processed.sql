delete from processed_events where consumer_group = ? and event_id in (
    select event_id from processed_events
    where consumer_group = ? and processed_at < now() - make_interval(secs => ?)
    limit ?)
