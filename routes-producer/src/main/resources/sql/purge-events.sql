-- Bounded: at most ? published events per statement; pending events are never purged.
delete from events where event_id in (
    select e.event_id from events e
    where e.accepted_at < now() - make_interval(secs => ?) and e.published_at is not null
    limit ?)
