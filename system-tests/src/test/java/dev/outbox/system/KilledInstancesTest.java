package dev.outbox.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The whole pipeline as deployed, each service a process of its own: two producers, group-a with two members and
 * group-b with one. Under a steady keyed load through both producers, one producer and one group-a member are
 * killed with SIGKILL and started again. Every accepted event must then be persisted exactly once by every group,
 * in its key's order, and the outbox must drain.
 */
class KilledInstancesTest {

    private static final Duration START_UP = Duration.ofSeconds(120);
    private static final Map<String, String> PRODUCER = Map.of(
            "OUTBOX_PUBLISHER_LEASE_TIMEOUT", "2s",
            "OUTBOX_PUBLISHER_HEARTBEAT", "500ms");
    private static final Map<String, String> CONSUMER = Map.of(
            "CAMEL_COMPONENT_KAFKA_SESSION_TIMEOUT_MS", "6000",
            "CAMEL_COMPONENT_KAFKA_HEARTBEAT_INTERVAL_MS", "1000",
            "OUTBOX_CONSUMER_MAX_POLL_RECORDS", "200");

    @TempDir
    static Path directory;
    static LocalStack stack;
    static ServiceProcess producer1;
    static ServiceProcess producer2;
    static ServiceProcess groupA1;
    static ServiceProcess groupA2;
    static ServiceProcess groupB1;

    @BeforeAll
    static void startStack() throws Exception {
        stack = LocalStack.start(directory);
        producer1 = stack.producer("producer-1", PRODUCER).start();
        producer2 = stack.producer("producer-2", PRODUCER).start();
        groupA1 = stack.consumer("consumer-1", "group-a", CONSUMER).start();
        groupA2 = stack.consumer("consumer-2", "group-a", CONSUMER).start();
        groupB1 = stack.consumer("consumer-3", "group-b", CONSUMER).start();
        for (ServiceProcess service : List.of(producer1, producer2, groupA1, groupA2, groupB1)) {
            service.awaitHealthy(START_UP);
        }
    }

    @AfterAll
    static void stopStack() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyAcceptedEventIsPersistedOncePerGroupInKeyOrderWhenAProducerAndAConsumerAreKilledUnderLoad()
            throws Exception {
        int keys = 40;
        int perKey = 100;
        int total = keys * perKey;
        JdbcTemplate jdbc = stack.jdbc();
        try (KeyedLoad load = new KeyedLoad(List.of(producer1::baseUrl, producer2::baseUrl), LocalStack.TOPIC, 4)) {
            load.start(UUID.randomUUID().toString().substring(0, 8), keys, perKey, 4);

            await().atMost(Duration.ofSeconds(60)).until(() -> load.acceptedCount() >= total / 4
                    && processed(jdbc, "group-a") > 0);
            producer1.kill();
            await().atMost(Duration.ofSeconds(60)).until(() -> load.acceptedCount() >= total / 2);
            groupA1.kill();
            producer1.start();
            groupA1.start();
            producer1.awaitHealthy(START_UP);
            groupA1.awaitHealthy(START_UP);
            load.awaitDone(Duration.ofSeconds(120));
            long loadDone = System.nanoTime();

            Map<UUID, KeyedLoad.Sent> accepted = load.accepted();
            assertThat(accepted).hasSize(total);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                    .until(() -> processed(jdbc, "group-a") == total && processed(jdbc, "group-b") == total);
            for (String group : List.of("group-a", "group-b")) {
                assertPersistedOnceInKeyOrder(jdbc, group, accepted);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> count(jdbc, "select count(*) from outbox") == 0);
            System.out.printf("%d events accepted (%d requests retried on another producer), all persisted once by "
                    + "each group in key order %.1f s after the load ended%n", total, load.retries(),
                    (System.nanoTime() - loadDone) / 1e9);
            assertThat(List.of(producer1, producer2, groupA1, groupA2, groupB1))
                    .allMatch(ServiceProcess::isAlive);
        }
    }

    /** The group's rows are exactly the accepted events, and each key's events sit in its partition in order. */
    private static void assertPersistedOnceInKeyOrder(JdbcTemplate jdbc, String group, Map<UUID, KeyedLoad.Sent> accepted) {
        List<Map<String, Object>> rows = jdbc.queryForList("select event_id, kafka_partition from processed_events "
                + "where consumer_group = ? order by kafka_partition, kafka_offset", group);
        assertThat(rows).as(group + " rows").hasSize(accepted.size());
        Map<String, Integer> lastSequence = new HashMap<>();
        Map<String, Integer> partitionOfKey = new HashMap<>();
        List<String> violations = new ArrayList<>();
        for (Map<String, Object> row : rows) {
            KeyedLoad.Sent sent = accepted.get((UUID) row.get("event_id"));
            assertThat(sent).as(group + " persisted an event that was never accepted: " + row).isNotNull();
            Integer partition = (Integer) row.get("kafka_partition");
            Integer keyPartition = partitionOfKey.putIfAbsent(sent.key(), partition);
            if (keyPartition != null && !keyPartition.equals(partition)) {
                violations.add(sent.key() + " in partitions " + keyPartition + " and " + partition);
            }
            Integer previous = lastSequence.put(sent.key(), sent.sequence());
            if (previous != null && previous >= sent.sequence()) {
                violations.add(sent.key() + ": " + sent.sequence() + " after " + previous);
            }
        }
        assertThat(violations).as(group + " per-key order").isEmpty();
        assertThat(Set.copyOf(lastSequence.values())).as(group + " saw each key's last event").hasSize(1);
        assertThat(count(jdbc, "select count(*) from group_outputs where consumer_group = '" + group + "'"))
                .as(group + " outputs written once per event").isEqualTo(accepted.size());
    }

    private static long processed(JdbcTemplate jdbc, String group) {
        return count(jdbc, "select count(*) from processed_events where consumer_group = '" + group + "'");
    }

    private static long count(JdbcTemplate jdbc, String sql) {
        Long count = jdbc.queryForObject(sql, Long.class);
        return count == null ? 0 : count;
    }
}
