-- Every new event as {"key": ..., "data": <payload>}, in one statement: the body is the batch as a JSON array.
insert into group_outputs (consumer_group, event_id, output)
select e."group", cast(e."eventId" as uuid), json_build_object('key', e.key, 'data', cast(e.payload as jsonb))::text
from json_to_recordset(cast(:#${body} as json)) as e("group" text, "eventId" text, key text, payload text)
