-- Bounded: at most ? published events per statement, with their publication rows; pending events are never
-- purged. Returns the events purged.
with doomed as (
    select e.event_id
    from events e
    join event_publications p on p.event_id = e.event_id
    where e.accepted_at < now() - make_interval(secs => ?)
    limit ?
), gone as (
    delete from events e using doomed d where e.event_id = d.event_id returning e.event_id
)
delete from event_publications p using gone g where p.event_id = g.event_id
