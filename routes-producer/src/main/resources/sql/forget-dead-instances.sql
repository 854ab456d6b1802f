delete from publisher_instances where lease_until < now() - interval '1 hour'
