package dev.outbox.shared;

/** Names of the Kafka record headers every published event carries (DESIGN.md, "The Kafka record"). */
public final class OutboxHeaders {

    public static final String EVENT_ID = "outbox-event-id";
    public static final String ACCEPTED_AT = "outbox-accepted-at";
    public static final String PRODUCER = "outbox-producer";
    public static final String VERSION = "outbox-version";
    public static final String CONTENT_TYPE = "content-type";
    public static final String TRACEPARENT = "traceparent";

    public static final String CURRENT_VERSION = "1";
    public static final String JSON = "application/json";

    private OutboxHeaders() {
    }

    /** True for the header names the system sets itself; user headers may not override them. */
    public static boolean isReserved(String name) {
        String lower = name.toLowerCase(java.util.Locale.ROOT);
        return lower.startsWith("outbox-") || lower.equals(CONTENT_TYPE) || lower.equals(TRACEPARENT);
    }
}
