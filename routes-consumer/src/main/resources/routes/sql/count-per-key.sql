insert into key_counts (consumer_group, event_key, events) values (:#group, :#key, 1)
on conflict (consumer_group, event_key) do update set events = key_counts.events + excluded.events
