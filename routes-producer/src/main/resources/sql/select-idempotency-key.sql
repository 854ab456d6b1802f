select request_hash, response from idempotency_keys where idempotency_key = ?
