insert into group_outputs (consumer_group, event_id, output)
values (:#group, cast(:#eventId as uuid), json_build_object('key', :#key, 'data', cast(:#payload as jsonb))::text)
