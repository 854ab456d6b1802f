package dev.outbox.producer.ingest;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outbox.shared.Timestamps;

/** The 202 bodies of the ingest endpoints (DESIGN.md, API contract). */
public final class IngestResponses {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private IngestResponses() {
    }

    public static String single(AcceptedEvent event) {
        return item(MAPPER.createObjectNode(), event).toString();
    }

    public static String batch(List<AcceptedEvent> events) {
        ObjectNode body = MAPPER.createObjectNode();
        ArrayNode items = body.putArray("events");
        for (AcceptedEvent event : events) {
            item(items.addObject(), event);
        }
        return body.toString();
    }

    private static ObjectNode item(ObjectNode node, AcceptedEvent event) {
        return node.put("eventId", event.eventId().toString())
                .put("topic", event.topic())
                .put("key", event.key())
                .put("status", "PENDING")
                .put("acceptedAt", Timestamps.format(event.acceptedAt()));
    }

    /** The event id of a single-send answer, for the Location header of a replayed answer. */
    public static String eventIdOf(String singleBody) {
        try {
            return MAPPER.readTree(singleBody).path("eventId").asText();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a stored answer is not JSON", e);
        }
    }
}
