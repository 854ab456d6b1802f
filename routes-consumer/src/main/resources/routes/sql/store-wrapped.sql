insert into group_outputs (consumer_group, event_id, output)
values (:#group, cast(:#eventId as uuid),
        json_build_object('key', cast(:#key as text), 'data', cast(:#payload as jsonb))::text)
