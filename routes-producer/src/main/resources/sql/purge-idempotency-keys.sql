delete from idempotency_keys where idempotency_key in (
    select idempotency_key from idempotency_keys where created_at < now() - make_interval(secs => ?) limit ?)
