package dev.outbox.consumer.consume;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.outbox.shared.OutboxHeaders;

/** Reads a Kafka record into a {@link ConsumedEvent}; a record that cannot be read is poison (dead-lettered). */
public final class RecordParser {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private RecordParser() {
    }

    /** Why a record could not be read. */
    public static final class PoisonRecordException extends RuntimeException {
        public PoisonRecordException(String message) {
            super(message, null, false, false);
        }
    }

    /** A record as delivered, whatever client delivered it (the Camel route, or the DLT re-drive). */
    public record RawRecord(String topic, int partition, long offset, String key, byte[] value,
                            java.util.Map<String, byte[]> headers) {
    }

    public static ConsumedEvent parse(RawRecord record) {
        String id = header(record, OutboxHeaders.EVENT_ID);
        if (id == null) {
            throw new PoisonRecordException("no " + OutboxHeaders.EVENT_ID + " header");
        }
        UUID eventId;
        try {
            eventId = UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new PoisonRecordException(OutboxHeaders.EVENT_ID + " is not a UUID");
        }
        if (record.value() == null) {
            throw new PoisonRecordException("the record has no value");
        }
        String payload = new String(record.value(), StandardCharsets.UTF_8);
        try {
            MAPPER.readTree(payload);
        } catch (JsonProcessingException e) {
            throw new PoisonRecordException("the value is not JSON: " + e.getOriginalMessage());
        }
        Instant acceptedAt = null;
        String accepted = header(record, OutboxHeaders.ACCEPTED_AT);
        if (accepted != null) {
            try {
                acceptedAt = Instant.parse(accepted);
            } catch (DateTimeParseException e) {
                throw new PoisonRecordException(OutboxHeaders.ACCEPTED_AT + " is not an ISO-8601 instant");
            }
        }
        String key = record.key() != null ? record.key() : eventId.toString();
        return new ConsumedEvent(eventId, key, record.topic(), record.partition(), record.offset(), acceptedAt,
                header(record, OutboxHeaders.TRACEPARENT), payload);
    }

    static String header(RawRecord record, String name) {
        byte[] value = record.headers().get(name);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
