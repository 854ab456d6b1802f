package dev.outbox.consumer.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.outbox.consumer.ConsumerTestBase;
import dev.outbox.infra.testing.TestKafka;

/** DESIGN.md promises 6 and 7: each event persisted once per group; poison goes to the DLT and the group moves on. */
@TestPropertySource(properties = {"KAFKA_CONSUMER_GROUP=group-a", "KAFKA_TOPICS=once-per-group"})
class OncePerGroupTest extends ConsumerTestBase {

    @BeforeAll
    static void topic() {
        TestKafka.broker().createTopic("once-per-group", 6, Map.of());
        TestKafka.broker().createTopic("once-per-group.DLT", 1, Map.of());
    }

    @Test
    void persistsTheSameEventSentTwiceOnceAndCountsTheDuplicate() {
        UUID id = UUID.randomUUID();
        publish("once-per-group", id, "order-1", "{\"n\":1}");
        publish("once-per-group", id, "order-1", "{\"n\":1}");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(http.get("/api/consumer/stats").json().get("duplicatesSkipped").asLong()).isPositive());
        assertThat(processed("group-a", id)).isEqualTo(1);
        assertThat(jdbc.queryForObject("select output from group_outputs where consumer_group = 'group-a' and event_id = ?",
                String.class, id)).isEqualTo("{\"n\":1}");
        var item = http.get("/api/consumer/events/" + id).json();
        assertThat(item.get("group").asText()).isEqualTo("group-a");
        assertThat(item.get("key").asText()).isEqualTo("order-1");
        assertThat(item.get("processedAt").asText()).matches("\\d{4}-.*\\.\\d{6}Z");
        assertThat(http.get("/actuator/prometheus").body())
                .containsPattern("outbox_consumer_processed_total\\{[^}]*group=\"group-a\"[^}]*} [1-9]")
                .containsPattern("outbox_consumer_duplicates_total\\{[^}]*group=\"group-a\"[^}]*} [1-9]")
                .contains("outbox_end_to_end_latency_seconds_bucket");
    }

    /**
     * Under a steady flow no poll comes back empty, so a batch must also end by time: otherwise the first record of
     * a flow of 50 a second waits 40 s for the batch of 2,000 to fill.
     */
    @Test
    void persistsARecordPromptlyWhileAFlowKeepsArriving() throws Exception {
        UUID first = UUID.randomUUID();
        AtomicBoolean flowing = new AtomicBoolean(true);
        Thread flow = new Thread(() -> {
            publish("once-per-group", first, "flow", "{\"first\":true}");
            while (flowing.get()) {
                publish("once-per-group", UUID.randomUUID(), "flow", "{}");
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos()); // the flow's pace, not a synchronisation
            }
        }, "steady-flow");
        flow.start();
        try {
            await().atMost(Duration.ofSeconds(15)).until(() -> processed("group-a", first) == 1);
        } finally {
            flowing.set(false);
            flow.join();
        }
    }

    /** Offsets follow the database while the member runs, not only when it stops or loses its partitions. */
    @Test
    void commitsTheOffsetsOfEachPersistedBatchWhileRunning() throws Exception {
        UUID last = null;
        for (int i = 0; i < 10; i++) {
            last = UUID.randomUUID();
            publish("once-per-group", last, "committed-" + i, "{\"i\":" + i + "}");
        }
        UUID lastEvent = last;
        await().atMost(Duration.ofSeconds(30)).until(() -> processed("group-a", lastEvent) == 1);
        try (Admin admin = admin()) {
            await().atMost(Duration.ofSeconds(15)).until(() -> committed(admin) == logEnd(admin));
        }
    }

    /** While the database refuses a batch, its offsets stay uncommitted; once it accepts, they follow. */
    @Test
    void neverCommitsAnOffsetAheadOfTheDatabase() throws Exception {
        try (Admin admin = admin()) {
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(admin) == logEnd(admin));
            jdbc.execute("create function refuse_held_back() returns trigger language plpgsql as $$ begin "
                    + "raise exception 'database away' using errcode = '57P01'; end $$");
            jdbc.execute("create trigger refuse_held_back before insert on processed_events for each row "
                    + "when (new.event_key = 'held-back') execute function refuse_held_back()");
            UUID held = UUID.randomUUID();
            try {
                publish("once-per-group", held, "held-back", "{\"held\":true}");
                await().atMost(Duration.ofSeconds(15)).until(() -> logEnd(admin) > committed(admin));
                await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                        .until(() -> logEnd(admin) > committed(admin) && processed("group-a", held) == 0);
            } finally {
                jdbc.execute("drop trigger refuse_held_back on processed_events");
                jdbc.execute("drop function refuse_held_back()");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> processed("group-a", held) == 1);
            await().atMost(Duration.ofSeconds(15)).until(() -> committed(admin) == logEnd(admin));
        }
    }

    private static Admin admin() {
        return Admin.create(Map.of("bootstrap.servers", TestKafka.broker().bootstrapServers()));
    }

    private static long committed(Admin admin) throws Exception {
        return admin.listConsumerGroupOffsets("group-a").partitionsToOffsetAndMetadata().get().entrySet().stream()
                .filter(entry -> entry.getKey().topic().equals("once-per-group"))
                .mapToLong(entry -> entry.getValue().offset()).sum();
    }

    private static long logEnd(Admin admin) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < 6; p++) {
            latest.put(new TopicPartition("once-per-group", p), OffsetSpec.latest());
        }
        return admin.listOffsets(latest).all().get().values().stream().mapToLong(end -> end.offset()).sum();
    }

    @Test
    void sendsPoisonToTheDeadLetterTopicAndProcessesWhatFollows() {
        send(new ProducerRecord<>("once-per-group", 0, "poison", "{\"no\":\"event id\"}".getBytes(StandardCharsets.UTF_8)));
        UUID notJson = UUID.randomUUID();
        publish("once-per-group", notJson, "poison", "this is not json");
        UUID good = UUID.randomUUID();
        publish("once-per-group", good, "poison", "{\"ok\":true}");

        await().atMost(Duration.ofSeconds(30)).until(() -> processed("group-a", good) == 1);
        assertThat(processed("group-a", notJson)).isZero();
        var dead = TestKafka.readAll("once-per-group.DLT", 2, Duration.ofSeconds(20));
        assertThat(dead).hasSize(2);
        for (ConsumerRecord<String, byte[]> record : dead) {
            assertThat(header(record, "outbox-dlt-original-topic")).isEqualTo("once-per-group");
            assertThat(header(record, "outbox-dlt-group")).isEqualTo("group-a");
            assertThat(header(record, "outbox-dlt-original-offset")).isNotBlank();
            assertThat(header(record, "outbox-dlt-error")).startsWith("unreadable record");
        }
        await().untilAsserted(() -> assertThat(http.get("/actuator/prometheus").body())
                .containsPattern("outbox_consumer_dead_letters_total\\{[^}]*} 2"));
    }

    @Test
    void listsAKeysEventsInPersistenceOrderPageByPage() {
        UUID[] ids = new UUID[5];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = UUID.randomUUID();
            publish("once-per-group", ids[i], "paged", "{\"i\":" + i + "}");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> processed("group-a", ids[4]) == 1);

        var first = http.get("/api/consumer/events?key=paged&limit=3").json();
        var second = http.get("/api/consumer/events?key=paged&limit=3&after=" + first.get("next").asText()).json();

        assertThat(first.get("events")).hasSize(3);
        assertThat(second.get("events")).hasSize(2);
        assertThat(second.get("next").isNull()).isTrue();
        for (int i = 0; i < 5; i++) {
            var page = i < 3 ? first : second;
            assertThat(page.get("events").get(i % 3).get("eventId").asText()).isEqualTo(ids[i].toString());
        }
        assertThat(http.get("/api/consumer/events?limit=3").status()).isEqualTo(400);
        assertThat(http.get("/api/consumer/events?key=paged&limit=0").status()).isEqualTo(400);
        assertThat(http.get("/api/consumer/events/not-a-uuid").status()).isEqualTo(400);
        assertThat(http.get("/api/consumer/events/" + UUID.randomUUID()).status()).isEqualTo(404);
    }

    @Test
    void answersHealthWithItsGroupAndPartitions() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var health = http.get("/api/consumer/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.json().get("status").asText()).isEqualTo("UP");
            assertThat(health.json().get("group").asText()).isEqualTo("group-a");
            assertThat(health.json().get("assignedPartitions")).hasSize(6);
        });
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        var header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
