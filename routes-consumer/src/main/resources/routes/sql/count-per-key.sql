-- Adds the batch's new events to the running count of each key (one row per key, so one statement may
-- upsert them all): the body is the batch as a JSON array.
insert into key_counts (consumer_group, event_key, events)
select e."group", e.key, count(*)
from json_to_recordset(cast(:#${body} as json)) as e("group" text, key text)
group by e."group", e.key
order by e.key   -- rows locked in one order: two members counting the same keys wait, never deadlock
on conflict (consumer_group, event_key) do update set events = key_counts.events + excluded.events
