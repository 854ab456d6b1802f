-- Bounded: idempotency keys created before the cutoff (the first parameter), at most the second per statement.
delete from idempotency_keys where idempotency_key in (
    select idempotency_key from idempotency_keys where created_at < ? limit ?)
