package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.outbox.infra.testing.TestKafka;

/** DESIGN.md promise 4: with Kafka down ingest keeps answering 202; the backlog is published when it returns. */
class BrokerOutageTest extends PublisherTestBase {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Test
    void absorbsABrokerOutageWithoutLossAndKeepsPerKeyOrder() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int keys = 5;
        int perKey = 40;
        var broker = TestKafka.broker();
        int seq = 0;
        for (; seq < 10; seq++) {
            sendRound(run, keys, seq);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> rows("outbox") == 0); // publishing works before the outage
        broker.stop();
        try {
            for (; seq < 30; seq++) {
                sendRound(run, keys, seq);
            }
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(jdbc.queryForObject("select count(*) from outbox where attempts > 0", Integer.class))
                            .as("publish attempts failed during the outage").isPositive());
            assertThat(rows("dead_letters")).as("transient failures are never dead-lettered").isZero();
        } finally {
            broker.start();
        }
        for (; seq < perKey; seq++) {
            sendRound(run, keys, seq);
        }

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> rows("outbox") == 0);
        assertThat(rows("dead_letters")).isZero();
        Map<String, List<Integer>> firstSeen = new HashMap<>();
        Set<String> seen = new LinkedHashSet<>();
        for (ConsumerRecord<String, byte[]> r : TestKafka.readAll("shared-events", Integer.MAX_VALUE, Duration.ofSeconds(10))) {
            if (r.key() != null && r.key().startsWith(run)
                    && seen.add(new String(r.headers().lastHeader("outbox-event-id").value(), StandardCharsets.UTF_8))) {
                firstSeen.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(MAPPER.readTree(r.value()).get("seq").asInt());
            }
        }
        assertThat(firstSeen).hasSize(keys);
        firstSeen.forEach((key, sequence) -> assertThat(sequence).as(key).isSorted().hasSize(perKey));
    }

    private void sendRound(String run, int keys, int seq) {
        for (int k = 0; k < keys; k++) {
            var answer = http.postJson("/api/messages/send",
                    "{\"topic\":\"shared-events\",\"message\":{\"seq\":" + seq + "},\"key\":\"" + run + "-" + k + "\"}");
            assertThat(answer.status()).isEqualTo(202);
        }
    }
}
