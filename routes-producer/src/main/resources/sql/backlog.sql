select count(*) as pending, extract(epoch from now() - min(accepted_at)) as oldest_age_seconds from outbox
