package dev.outbox.producer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outbox.producer.support.ProducerTestBase;

class IngestApiTest extends ProducerTestBase {

    @Test
    void acceptsOneEventAndCommitsItWithItsOutboxRow() {
        var answer = http.post("/api/messages/send", "application/json",
                "{\"topic\":\"shared-events\",\"message\":{\"orderId\":42,\"total\":9.5},\"key\":\"order-42\","
                        + "\"headers\":{\"tenant\":\"acme\"}}",
                Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));

        assertThat(answer.status()).isEqualTo(202);
        JsonNode body = answer.json();
        String eventId = body.get("eventId").asText();
        assertThat(UUID.fromString(eventId)).isNotNull();
        assertThat(body.get("topic").asText()).isEqualTo("shared-events");
        assertThat(body.get("key").asText()).isEqualTo("order-42");
        assertThat(body.get("status").asText()).isEqualTo("PENDING");
        assertThat(body.get("acceptedAt").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z");
        assertThat(answer.header("Location")).isEqualTo("/api/messages/" + eventId);
        assertThat(answer.header("traceparent")).as("request headers are not echoed").isNull();

        var event = jdbc.queryForMap("select * from events where event_id = ?::uuid", eventId);
        assertThat(event.get("payload")).isEqualTo("{\"orderId\":42,\"total\":9.5}");
        assertThat(event.get("headers")).isEqualTo("{\"tenant\":\"acme\"}");
        assertThat(event.get("traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        var outbox = jdbc.queryForMap("select * from outbox where event_id = ?::uuid", eventId);
        assertThat(outbox.get("event_key")).isEqualTo("order-42");
        assertThat(outbox.get("payload")).isEqualTo(event.get("payload"));
        assertThat(outbox.get("attempts")).isEqualTo(0);
    }

    @Test
    void usesTheEventIdAsKeyAndAJsonStringAsValueForAPlainTextMessage() {
        var answer = http.postJson("/api/messages/send", "{\"topic\":\"shared-events\",\"message\":\"Test message\"}");

        assertThat(answer.status()).isEqualTo(202);
        String eventId = answer.json().get("eventId").asText();
        assertThat(answer.json().get("key").asText()).isEqualTo(eventId);
        assertThat(jdbc.queryForObject("select payload from outbox where event_id = ?::uuid", String.class, eventId))
                .isEqualTo("\"Test message\"");
    }

    @Test
    void acceptsABatchAllTogetherInRequestOrder() {
        var answer = http.postJson("/api/messages/batch", "[{\"topic\":\"shared-events\",\"message\":\"a\",\"key\":\"k\"},"
                + "{\"topic\":\"shared-events\",\"message\":\"b\",\"key\":\"k\"},"
                + "{\"topic\":\"shared-events\",\"message\":\"c\"}]");

        assertThat(answer.status()).isEqualTo(202);
        JsonNode events = answer.json().get("events");
        assertThat(events).hasSize(3);
        var ids = new java.util.ArrayList<String>();
        events.forEach(e -> ids.add(e.get("eventId").asText()));
        var inOutboxOrder = jdbc.queryForList("select event_id::text from outbox order by id", String.class);
        assertThat(inOutboxOrder).containsExactlyElementsOf(ids);
        assertThat(jdbc.queryForList("select payload from events order by accepted_at, event_id", String.class))
                .containsExactlyInAnyOrder("\"a\"", "\"b\"", "\"c\"");
    }

    @Test
    void readsBackAnAcceptedEventAsPending() {
        String id = http.postJson("/api/messages/send",
                "{\"topic\":\"shared-events\",\"message\":{\"a\":[1,2]},\"key\":\"k1\",\"headers\":{\"h\":\"v\"}}")
                .json().get("eventId").asText();

        var answer = http.get("/api/messages/" + id);

        assertThat(answer.status()).isEqualTo(200);
        JsonNode body = answer.json();
        assertThat(body.get("eventId").asText()).isEqualTo(id);
        assertThat(body.get("status").asText()).isEqualTo("PENDING");
        assertThat(body.get("message").toString()).isEqualTo("{\"a\":[1,2]}");
        assertThat(body.get("headers").get("h").asText()).isEqualTo("v");
        assertThat(body.get("publishedAt").isNull()).isTrue();
        assertThat(body.get("deadLetter").isNull()).isTrue();
        assertThat(body.get("processedBy").isArray()).isTrue();
    }

    @Test
    void aPendingEventDoesNotTakeThePublicationOfAnotherEventWithItsOutboxId() {
        String id = http.postJson("/api/messages/send", "{\"topic\":\"shared-events\",\"message\":1}")
                .json().get("eventId").asText();
        // a batch published before the outbox identity was restarted by hand, holding this outbox id
        jdbc.update("insert into publication_batches (outbox_ids, published_at, event_count, event_ids, "
                + "event_outbox_ids, published_micros, partitions, offsets) "
                + "select int8range(outbox_id, outbox_id, '[]'), now(), 1, array[gen_random_uuid()], array[outbox_id], "
                + "array[0::bigint], array[3], array[42::bigint] from events where event_id = ?::uuid", id);

        assertThat(http.get("/api/messages/" + id).json().get("status").asText()).isEqualTo("PENDING");
    }

    @Test
    void answersTheHealthOfTheServiceAndItsDatabase() {
        var answer = http.get("/api/messages/health");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("status").asText()).isEqualTo("UP");
        assertThat(answer.json().get("database").asText()).isEqualTo("UP");
        assertThat(answer.json().get("serviceId").asText()).isEqualTo("producer-1");
        assertThat(answer.json().get("instanceId").asText()).isEqualTo("producer-1-instance");
    }
}
