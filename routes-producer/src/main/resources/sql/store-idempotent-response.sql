update idempotency_keys set response = ? where idempotency_key = ?
