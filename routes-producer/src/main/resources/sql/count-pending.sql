select count(*) from outbox
