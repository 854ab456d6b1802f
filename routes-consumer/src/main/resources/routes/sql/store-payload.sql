-- Every new event's payload, as it came, in one statement: the body is the batch as a JSON array.
insert into group_outputs (consumer_group, event_id, output)
select e."group", cast(e."eventId" as uuid), e.payload
from json_to_recordset(cast(:#${body} as json)) as e("group" text, "eventId" text, payload text)
