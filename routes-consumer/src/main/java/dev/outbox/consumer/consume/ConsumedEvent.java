package dev.outbox.consumer.consume;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** One record as the group sees it: the event and where it came from. */
public record ConsumedEvent(UUID eventId, String key, String topic, int partition, long offset, Instant acceptedAt,
                            String traceparent, String payload) {

    /** The body item a group route receives: plain values, so YAML routes can use them in SQL parameters. */
    public Map<String, Object> asRouteItem(String group) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("group", group);
        item.put("eventId", eventId.toString());
        item.put("key", key);
        item.put("topic", topic);
        item.put("partition", partition);
        item.put("offset", offset);
        item.put("payload", payload);
        item.put("traceparent", traceparent);
        return item;
    }
}
