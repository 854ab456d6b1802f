select count(*) from publisher_instances where lease_until > now()
