-- The outbox rows over 2 KB of payload and headers, by bucket: a claim sums its rows' sizes against its byte budget
-- only when its range holds one (claim-batch.sql; summing costs a 2,000-row claim about 2 ms). The predicate must stay
-- word for word the claim's, or the planner cannot use the index. A plain build holds off outbox writes while it
-- scans the table (about a second per 1,000,000 rows here): see README, Upgrading.
create index outbox_large_idx on outbox (bucket, id)
    where octet_length(payload) + coalesce(octet_length(headers), 0) > 2048;
