package dev.outbox.producer.ingest;

import java.time.Instant;
import java.util.UUID;

/** An event committed with its outbox row: what the 202 answer describes. */
public record AcceptedEvent(UUID eventId, String topic, String key, Instant acceptedAt) {
}
