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
import org.springframework.beans.factory.annotation.Autowired;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.outbox.producer.ingest.EventStore;
import dev.outbox.producer.ingest.IngestRequest;
import dev.outbox.producer.support.ProducerTestBase;
import dev.outbox.infra.testing.TestDatabase;
import dev.outbox.infra.testing.TestKafka;

/**
 * DESIGN.md promise 3: records with the same key reach Kafka in commit order while three publisher instances
 * share one outbox and one of them is killed mid-run. Consumers drop duplicates by event id (a killed
 * instance's unacknowledged batch is re-sent by the new owner), so order is checked on first occurrences.
 */
class PerKeyOrderTest extends ProducerTestBase {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int KEYS = 50;
    private static final int EVENTS_PER_KEY = 200;

    @Autowired
    EventStore store;

    @Autowired
    KeyBuckets buckets;

    @Test
    void keepsPerKeyOrderWithThreePublishersWhenOneDiesMidRun() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<PublisherInstance> instances = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            instances.add(new PublisherInstance("order-test-" + run + "-" + i, TestDatabase.server(),
                    TestKafka.broker().bootstrapServers(), buckets.count(), Duration.ofSeconds(2))
                    .start(Duration.ofMillis(200)));
        }
        try {
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    instances.stream().mapToInt(p -> p.leases.ownedCount()).sum() == buckets.count()
                            && instances.stream().allMatch(p -> p.leases.ownedCount() > 0));

            for (int seq = 0; seq < EVENTS_PER_KEY; seq++) {
                List<IngestRequest> round = new ArrayList<>();
                for (int k = 0; k < KEYS; k++) {
                    round.add(new IngestRequest("shared-events", key(run, k),
                            "{\"seq\":" + seq + "}", null, null));
                }
                store.accept(round);
                if (seq == EVENTS_PER_KEY / 3) {
                    instances.get(1).crash();
                }
            }

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).until(() -> rows("outbox") == 0);
            assertThat(instances.get(1).leases.owned()).as("the crashed instance does not know it lost").isNotEmpty();
            assertThat(jdbc.queryForObject("select count(*) from bucket_leases where owner = ?", Integer.class,
                    instances.get(1).instanceId)).as("its buckets were taken over").isZero();
        } finally {
            instances.get(0).close();
            instances.get(2).close();
        }

        Map<String, List<Integer>> firstSeen = firstOccurrencesByKey(run);
        assertThat(firstSeen).hasSize(KEYS);
        List<Integer> expected = new ArrayList<>();
        for (int seq = 0; seq < EVENTS_PER_KEY; seq++) {
            expected.add(seq);
        }
        firstSeen.forEach((key, sequence) -> assertThat(sequence).as("order of key %s", key)
                .containsExactlyElementsOf(expected));
    }

    private Map<String, List<Integer>> firstOccurrencesByKey(String run) throws Exception {
        List<ConsumerRecord<String, byte[]>> records =
                TestKafka.readAll("shared-events", Integer.MAX_VALUE, Duration.ofSeconds(10));
        Set<String> seen = new LinkedHashSet<>();
        Map<String, List<Integer>> byKey = new HashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            if (record.key() == null || !record.key().startsWith(run)) {
                continue;
            }
            String eventId = new String(record.headers().lastHeader("outbox-event-id").value(), StandardCharsets.UTF_8);
            if (seen.add(eventId)) {
                int seq = MAPPER.readTree(record.value()).get("seq").asInt();
                byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(seq);
            }
        }
        return byKey;
    }

    private static String key(String run, int k) {
        return run + "-key-" + k;
    }
}
