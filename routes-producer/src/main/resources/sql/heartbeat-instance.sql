insert into publisher_instances (instance_id, heartbeat_at, lease_until)
values (?, now(), now() + make_interval(secs => ?))
on conflict (instance_id) do update set heartbeat_at = excluded.heartbeat_at, lease_until = excluded.lease_until
