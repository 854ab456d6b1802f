-- Fewer full pages for the published_at update of each published event (HOT updates).
alter table events set (fillfactor = 90);

-- Publisher instances that are alive (heartbeat within their lease): the fair share of buckets is
-- ceil(bucket count / live instances).
create table publisher_instances (
    instance_id  text        primary key,
    heartbeat_at timestamptz not null,
    lease_until  timestamptz not null
);

-- One row per key-hash bucket. Exactly one live instance owns a bucket; "fence" grows with every change
-- of owner, so a publisher that stalled past its lease cannot delete rows of a bucket it no longer owns.
create table bucket_leases (
    bucket      integer     primary key,
    owner       text,
    lease_until timestamptz not null default '-infinity',
    fence       bigint      not null default 0
);

-- Events Kafka refused permanently (record too large, invalid topic, not authorised) after max attempts.
-- Visible through the API and replayable into the outbox.
create table dead_letters (
    event_id         uuid        primary key,
    bucket           integer     not null,
    topic            text        not null,
    event_key        text        not null,
    payload          text        not null,
    headers          text,
    traceparent      text,
    accepted_at      timestamptz not null,
    accepted_by      text        not null,
    attempts         integer     not null,
    reason           text        not null,
    dead_lettered_at timestamptz not null default now()
);
create index dead_letters_dead_lettered_at_idx on dead_letters (dead_lettered_at);

-- Rows waiting for a retry: a bucket with one of these is blocked until it is due.
create index outbox_retry_idx on outbox (bucket) where next_attempt_at is not null;
