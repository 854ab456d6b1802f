-- Announces committed outbox rows to the publishers of the other instances (they LISTEN on the channel; the
-- payload names the sender, which ignores its own announcement). NOTIFY takes a database-wide lock at commit,
-- so it runs in a transaction of its own, and that commit does not wait for its WAL flush: a lost
-- announcement only delays rows until the next poll.
select set_config('synchronous_commit', 'off', true), pg_notify(?, ?)
