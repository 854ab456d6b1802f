-- Only leases still valid are renewed: one that expired may already belong to another instance.
update bucket_leases set lease_until = now() + make_interval(secs => ?)
where owner = ? and lease_until > now()
returning bucket, fence
