insert into bucket_leases (bucket) select generate_series(0, ? - 1) on conflict (bucket) do nothing
