delete from publisher_instances where instance_id = ?
