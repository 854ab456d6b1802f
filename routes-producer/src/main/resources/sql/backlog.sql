-- The backlog without reading the whole outbox: this runs every second on every producer, and a count(*) of a
-- million-row backlog took more of PostgreSQL than publishing it did (wait events sampled during a drain).
-- Rows are counted exactly up to the limit; past it, PostgreSQL's live-row statistic for the table stands in.
-- Both walk the primary key from its start, over the entries of rows deleted and not yet vacuumed (27-37 ms with
-- 300,000 of them ahead, explain analyze; a sequential scan took 4 or 67 ms), until autovacuum (V5) removes them.
-- The oldest waiting row is the head of the outbox in id (commit) order.
select (select count(*) from (select from outbox order by id limit ?) head) as counted,
       (select n_live_tup from pg_stat_user_tables where relid = 'outbox'::regclass) as estimated,
       (select extract(epoch from now() - accepted_at) from outbox order by id limit 1) as oldest_age_seconds
