-- The outbox rows over 2 KB of payload and headers. A claim is bounded by bytes as well as rows (claim-batch.sql):
-- summing the sizes as rows come cost a 2,000-row claim about 2 ms more (a window aggregate copies every row), so a
-- claim first looks here for a large row in its range and sums only when there is one. Most outboxes hold few
-- such rows, so the index is small and the look one descent; its predicate is evaluated on insert (sizes are read
-- from the values' headers, without decompressing them).
create index outbox_large_idx on outbox (id) where octet_length(payload) + coalesce(octet_length(headers), 0) > 2048;
