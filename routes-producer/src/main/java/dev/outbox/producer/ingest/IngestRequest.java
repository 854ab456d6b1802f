package dev.outbox.producer.ingest;

/**
 * One validated event to accept. {@code payload} is the JSON serialisation of the client's "message" (what
 * the Kafka record will carry); {@code headers} is a JSON object of string headers or null; {@code key} is
 * null when the client gave none (the event id becomes the key).
 */
public record IngestRequest(String topic, String key, String payload, String headers, String traceparent) {
}
