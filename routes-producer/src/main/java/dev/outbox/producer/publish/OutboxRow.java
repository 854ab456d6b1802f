package dev.outbox.producer.publish;

import java.time.Instant;
import java.util.UUID;

/** One pending outbox row, as claimed for publishing. */
public record OutboxRow(long id, UUID eventId, int bucket, String topic, String key, String payload, String headers,
                        String traceparent, Instant acceptedAt, String acceptedBy, int attempts) {
}
