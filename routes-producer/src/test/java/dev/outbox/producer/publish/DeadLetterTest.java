package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import dev.outbox.infra.testing.TestKafka;

/**
 * DESIGN.md promise 4, permanent side: a record the broker refuses (a topic-level max.message.bytes below its
 * size) is dead-lettered after max attempts, visible and replayable; other buckets keep publishing meanwhile.
 */
@TestPropertySource(properties = "outbox.topics.allowed=shared-events,small-records")
class DeadLetterTest extends PublisherTestBase {

    @BeforeAll
    static void smallTopic() {
        TestKafka.broker().createTopic("small-records", 1, Map.of("max.message.bytes", "2048"));
    }

    @Test
    void deadLettersARecordTheBrokerRefusesAndReplaysItOnceTheLimitIsRaised() throws Exception {
        String big = incompressible(6000);
        String refused = http.postJson("/api/messages/send",
                "{\"topic\":\"small-records\",\"message\":\"" + big + "\",\"key\":\"big-one\"}").json().get("eventId").asText();
        String fine = http.postJson("/api/messages/send",
                "{\"topic\":\"shared-events\",\"message\":\"small\",\"key\":\"other\"}").json().get("eventId").asText();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(http.get("/api/messages/" + refused).json().get("status").asText()).isEqualTo("DEAD_LETTERED"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                http.get("/api/messages/" + fine).json().get("status").asText()).as("other buckets keep publishing")
                .isEqualTo("PUBLISHED"));
        var status = http.get("/api/messages/" + refused).json();
        assertThat(status.get("deadLetter").get("reason").asText()).contains("RecordTooLarge");
        assertThat(status.get("deadLetter").get("attempts").asInt()).isEqualTo(2);
        assertThat(rows("outbox")).isZero();
        var listed = http.get("/api/outbox/dead-letters").json().get("deadLetters");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).get("eventId").asText()).isEqualTo(refused);
        await().untilAsserted(() -> assertThat(http.get("/actuator/prometheus").body())
                .containsPattern("outbox_dead_letters_total\\{[^}]*} 1")
                .containsPattern("outbox_publish_failures_total\\{[^}]*reason=\"RecordTooLarge\"[^}]*} 2"));

        raiseLimit("small-records", "1048588");
        var replay = http.post("/api/outbox/dead-letters/" + refused + "/replay", "application/json", "", Map.of());

        assertThat(replay.status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(http.get("/api/messages/" + refused).json().get("status").asText()).isEqualTo("PUBLISHED"));
        assertThat(rows("dead_letters")).isZero();
        assertThat(http.post("/api/outbox/dead-letters/" + refused + "/replay", "application/json", "", Map.of()).status())
                .isEqualTo(404);
    }

    /** Random text, so that producer compression cannot shrink it under the topic's limit. */
    private static String incompressible(int length) {
        var random = new java.util.Random(42);
        var text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.toString();
    }

    private static void raiseLimit(String topic, String bytes) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestKafka.broker().bootstrapServers()))) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic),
                    List.of(new AlterConfigOp(new ConfigEntry("max.message.bytes", bytes), AlterConfigOp.OpType.SET))))
                    .all().get();
        }
    }
}
