delete from dead_letters where event_id in (
    select event_id from dead_letters where dead_lettered_at < now() - make_interval(secs => ?) limit ?)
