select event_id, topic, event_key, attempts, reason, accepted_at, dead_lettered_at
from dead_letters
order by dead_lettered_at, event_id
limit ?
