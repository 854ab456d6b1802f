-- The backlog without reading the whole outbox: this runs every second on every producer, and a count(*) of a
-- million-row backlog took more of PostgreSQL than publishing it did (wait events sampled during a drain).
-- Rows are counted exactly up to the limit; past it, PostgreSQL's statistics stand in: the live-row count, or when
-- that is evidently lost (under half the rows just counted: statistics reset by a crash) the planner's estimate.
-- One walk of the primary key from its start reads both the count and the head row (the lowest id, the longest
-- waiting in publishing order); it also passes the entries of rows deleted and not yet vacuumed (27-37 ms with
-- 300,000 of them ahead, explain analyze; a sequential scan took 4 or 67 ms) until autovacuum (V5) removes them.
with head as materialized (
    select id, accepted_at from outbox order by id limit ?
)
select (select count(*) from head) as counted,
       (select n_live_tup from pg_stat_user_tables where relid = 'outbox'::regclass) as estimated,
       (select greatest(reltuples, 0)::bigint from pg_class where oid = 'outbox'::regclass) as planned,
       (select extract(epoch from now() - accepted_at) from head order by id limit 1) as oldest_age_seconds
