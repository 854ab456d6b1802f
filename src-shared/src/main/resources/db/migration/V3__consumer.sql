-- The once-per-group record: a unique (group, event id) decides whether a consumed record is new, whatever
-- duplicates, rebalances or restarts deliver. "seq" is the order in which the group persisted its events.
create table processed_events (
    consumer_group  text        not null,
    event_id        uuid        not null,
    seq             bigint      generated always as identity,
    event_key       text        not null,
    topic           text        not null,
    kafka_partition integer     not null,
    kafka_offset    bigint      not null,
    accepted_at     timestamptz,
    processed_at    timestamptz not null,
    processed_by    text        not null,
    traceparent     text,
    primary key (consumer_group, event_id)
);
create index processed_events_key_idx on processed_events (consumer_group, event_key, seq);
create index processed_events_processed_at_idx on processed_events (processed_at);

-- What the shipped group routes write (operators' own routes may write elsewhere, in the same transaction).
create table group_outputs (
    consumer_group text        not null,
    event_id       uuid        not null,
    output         text        not null,
    primary key (consumer_group, event_id)
);

create table key_counts (
    consumer_group text   not null,
    event_key      text   not null,
    events         bigint not null,
    primary key (consumer_group, event_key)
);
