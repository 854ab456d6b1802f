insert into idempotency_keys (idempotency_key, request_hash) values (?, ?) on conflict (idempotency_key) do nothing
