update outbox set attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => ?), last_error = ?
where id = ?
