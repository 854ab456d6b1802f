package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import dev.outbox.infra.testing.TestKafka;

/** DESIGN.md promise 2 and the record contract: a committed event reaches Kafka, then leaves the outbox. */
class PublishToKafkaTest extends PublisherTestBase {

    @Test
    void publishesTheRecordAsTheContractSaysAndMarksTheEventPublished() {
        var answer = http.post("/api/messages/send", "application/json",
                "{\"topic\":\"shared-events\",\"message\":{\"orderId\":7},\"key\":\"order-7\",\"headers\":{\"tenant\":\"acme\"}}",
                Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        String eventId = answer.json().get("eventId").asText();

        await().atMost(Duration.ofSeconds(30)).until(() -> rows("outbox") == 0);
        var status = http.get("/api/messages/" + eventId).json();
        assertThat(status.get("status").asText()).isEqualTo("PUBLISHED");
        assertThat(status.get("publishedAt").asText()).matches("\\d{4}-.*\\.\\d{6}Z");
        int partition = status.get("partition").asInt();
        long offset = status.get("offset").asLong();

        ConsumerRecord<String, byte[]> record = TestKafka.readAll("shared-events", Integer.MAX_VALUE, Duration.ofSeconds(5))
                .stream().filter(r -> r.partition() == partition && r.offset() == offset).findFirst().orElseThrow();
        assertThat(header(record, "outbox-event-id")).as("the status points at this event's record").isEqualTo(eventId);
        assertThat(record.key()).isEqualTo("order-7");
        assertThat(new String(record.value(), StandardCharsets.UTF_8)).isEqualTo("{\"orderId\":7}");
        assertThat(header(record, "outbox-accepted-at")).isEqualTo(status.get("acceptedAt").asText());
        assertThat(header(record, "outbox-producer")).isEqualTo("producer-1-instance");
        assertThat(header(record, "outbox-version")).isEqualTo("1");
        assertThat(header(record, "content-type")).isEqualTo("application/json");
        assertThat(header(record, "traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(header(record, "tenant")).isEqualTo("acme");
    }

    @Test
    void everyEventOfABatchPointsAtItsOwnRecord() {
        // publish batches over many keys and partitions: each publication is one row of arrays, read per event
        String body = IntStream.range(0, 40)
                .mapToObj(i -> "{\"topic\":\"shared-events\",\"message\":" + i + ",\"key\":\"batch-" + i + "\"}")
                .collect(Collectors.joining(",", "[", "]"));
        JsonNode accepted = http.postJson("/api/messages/batch", body).json().get("events");
        await().atMost(Duration.ofSeconds(30)).until(() -> rows("outbox") == 0);

        Map<String, ConsumerRecord<String, byte[]>> byPosition = new HashMap<>();
        TestKafka.readAll("shared-events", Integer.MAX_VALUE, Duration.ofSeconds(5))
                .forEach(r -> byPosition.put(r.partition() + "@" + r.offset(), r));
        Set<Integer> partitions = new HashSet<>();
        for (JsonNode event : accepted) {
            String eventId = event.get("eventId").asText();
            var status = http.get("/api/messages/" + eventId).json();
            assertThat(status.get("status").asText()).isEqualTo("PUBLISHED");
            var record = byPosition.get(status.get("partition").asInt() + "@" + status.get("offset").asLong());
            assertThat(record).as("a record where the status of %s points", eventId).isNotNull();
            assertThat(header(record, "outbox-event-id")).as("the status points at this event's record")
                    .isEqualTo(eventId);
            partitions.add(record.partition());
        }
        assertThat(partitions).as("the batch spread over partitions").hasSizeGreaterThan(1);
        assertThat(jdbc.queryForObject("select max((select count(distinct p) from unnest(partitions) p)) "
                + "from publication_batches", Integer.class)).as("events read out of a batch over several partitions")
                .isGreaterThan(1);
    }

    @Test
    void exposesThePublisherMetrics() {
        http.postJson("/api/messages/send", "{\"topic\":\"shared-events\",\"message\":\"m\"}");
        await().atMost(Duration.ofSeconds(30)).until(() -> rows("outbox") == 0);

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String metrics = http.get("/actuator/prometheus").body();
            assertThat(metrics).containsPattern("outbox_events_published_total\\{[^}]*} [1-9]");
            assertThat(metrics).contains("outbox_publish_latency_seconds_bucket");
            for (String phase : new String[] {"claim", "send", "complete"}) {
                assertThat(metrics).containsPattern(
                        "outbox_publish_phase_seconds_count\\{[^}]*phase=\"" + phase + "\"[^}]*} [1-9]");
            }
            assertThat(metrics).contains("outbox_pending_events{");
            assertThat(metrics).contains("outbox_oldest_pending_age_seconds{");
            assertThat(metrics).containsPattern("outbox_buckets_owned\\{[^}]*} 64");
            assertThat(metrics).contains("outbox_publish_failures_total{");
            assertThat(metrics).contains("outbox_dead_letters_total{");
            assertThat(metrics).contains("routeId=\"outbox-publish\"");
        });
    }

    static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
