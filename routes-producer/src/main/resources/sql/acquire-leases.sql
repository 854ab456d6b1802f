-- Takes free or expired buckets (a dead owner's) up to the fair share; every new ownership gets a new fence.
update bucket_leases l set owner = ?, lease_until = now() + make_interval(secs => ?), fence = l.fence + 1
where l.bucket in (
    select bucket from bucket_leases
    where owner is null or lease_until <= now()
    order by random()
    limit ?
    for update skip locked)
returning l.bucket, l.fence
