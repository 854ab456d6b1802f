insert into group_outputs (consumer_group, event_id, output) values (:#group, cast(:#eventId as uuid), :#payload)
