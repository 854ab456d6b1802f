package dev.outbox.consumer.consume;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;

import dev.outbox.shared.OutboxHeaders;
import dev.outbox.shared.Timestamps;

/** Reads a Kafka record into a {@link ConsumedEvent}; a record that cannot be read is poison (dead-lettered). */
public final class RecordParser {

    private static final JsonFactory JSON = new JsonFactory();

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
        requireJson(payload);
        Instant acceptedAt = null;
        String accepted = header(record, OutboxHeaders.ACCEPTED_AT);
        if (accepted != null) {
            try {
                acceptedAt = Timestamps.parse(accepted);
            } catch (DateTimeParseException e) {
                throw new PoisonRecordException(OutboxHeaders.ACCEPTED_AT + " is not an ISO-8601 instant");
            }
        }
        String key = record.key() != null ? record.key() : eventId.toString();
        return new ConsumedEvent(eventId, key, record.topic(), record.partition(), record.offset(), acceptedAt,
                header(record, OutboxHeaders.TRACEPARENT), payload);
    }

    /**
     * One JSON value and nothing after it, read as a stream of tokens: no tree is built (the hot path). It reads
     * the decoded text, the payload as stored, so a byte-order mark or another encoding is poison, not stored.
     */
    private static void requireJson(String value) {
        try (JsonParser parser = JSON.createParser(value)) {
            if (parser.nextToken() == null) {
                throw new PoisonRecordException("the value is empty");
            }
            parser.skipChildren();
            if (parser.nextToken() != null) {
                throw new PoisonRecordException("the value is not JSON: more than one value");
            }
        } catch (JsonProcessingException e) {
            throw new PoisonRecordException("the value is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a string does no I/O
        }
    }

    static String header(RawRecord record, String name) {
        byte[] value = record.headers().get(name);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
