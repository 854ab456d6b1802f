-- The business record of every accepted event. Rows stay after publishing (history, status lookups)
-- until the retention job purges them.
create table events (
    event_id        uuid        primary key,
    topic           text        not null,
    event_key       text        not null,
    payload         text        not null,   -- the JSON serialisation of "message", exactly as published
    headers         text,                   -- JSON object of the user's string headers, or null
    traceparent     text,
    accepted_at     timestamptz not null,
    accepted_by     text        not null,   -- instance id of the producer that committed it
    idempotency_key text,
    published_at    timestamptz,
    kafka_partition integer,
    kafka_offset    bigint
);
create index events_accepted_at_idx on events (accepted_at);

-- What remains to publish. Written in the same transaction as the events row; removed once Kafka acked.
-- "id" is the publishing order within a bucket; "bucket" is the key-hash bucket that one publisher owns.
create table outbox (
    id              bigint generated always as identity primary key,
    event_id        uuid        not null unique,
    bucket          integer     not null,
    topic           text        not null,
    event_key       text        not null,
    payload         text        not null,
    headers         text,
    traceparent     text,
    accepted_at     timestamptz not null,
    accepted_by     text        not null,
    attempts        integer     not null default 0,
    next_attempt_at timestamptz,
    last_error      text
);
create index outbox_bucket_id_idx on outbox (bucket, id);

-- A repeated POST with the same Idempotency-Key returns the first answer. Keys expire with retention.
create table idempotency_keys (
    idempotency_key text        primary key,
    request_hash    bytea       not null,
    response        text,
    created_at      timestamptz not null default now()
);
create index idempotency_keys_created_at_idx on idempotency_keys (created_at);

-- Settings every instance must agree on, fixed by the first instance that starts.
create table outbox_settings (
    singleton    boolean     primary key default true check (singleton),
    bucket_count integer     not null check (bucket_count between 1 and 4096),
    created_at   timestamptz not null default now()
);
