update bucket_leases set owner = null, lease_until = '-infinity', fence = fence + 1 where owner = ?
