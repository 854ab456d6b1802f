-- The lowest id of each given bucket that has rows: one probe of outbox_bucket_id_idx per bucket, which walks that
-- bucket's deleted, unvacuumed entries (about the cost of one claim from 0). BucketFloors compares them with its
-- floors every 10 s.
select b.bucket, h.id
from unnest(?::integer[]) as b(bucket)
cross join lateral (select id from outbox where bucket = b.bucket order by id limit 1) as h
