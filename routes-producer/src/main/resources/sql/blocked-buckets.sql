-- A bucket whose head row waits for a retry is blocked: nothing later in it may overtake that row.
select distinct bucket from outbox where next_attempt_at > now() and bucket = any(?::integer[])
