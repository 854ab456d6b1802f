package dev.outbox.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.FileSystemUtils;

/**
 * The short fault suite: the whole pipeline as deployed (two producers, group-a with two members, group-b with
 * one, each a process of its own), a steady keyed load through both producers, and one fault per test. After
 * each, every accepted event must be persisted exactly once by every group, in its key's order, the outbox must
 * drain, and no service may need a restart. The suite prints a table of what each fault cost.
 *
 * <p>{@code -Dfaults.full=true} ({@code scripts/fault-suite.sh}) is the long variant: five times the load, Kafka
 * down for 60 s, PostgreSQL down for 20 s, four rebalance rounds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteTest {

    private static final boolean FULL = Boolean.getBoolean("faults.full");
    private static final Duration START_UP = Duration.ofSeconds(120);
    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Map<String, String> PRODUCER = Map.of(
            "OUTBOX_PUBLISHER_LEASE_TIMEOUT", LEASE.toMillis() + "ms",
            "OUTBOX_PUBLISHER_HEARTBEAT", "500ms",
            "OUTBOX_PUBLISHER_MAX_BACKOFF", "1s");
    private static final Map<String, String> CONSUMER = Map.of(
            "CAMEL_COMPONENT_KAFKA_SESSION_TIMEOUT_MS", "6000",
            "CAMEL_COMPONENT_KAFKA_HEARTBEAT_INTERVAL_MS", "1000",
            "OUTBOX_CONSUMER_MAX_POLL_RECORDS", "200");
    private static final List<String> GROUPS = List.of("group-a", "group-b");
    private static final List<String> TABLE = new ArrayList<>();

    /** Kept after the run (the services' logs are in its logs/ folder); emptied at the start of the next. */
    static final Path DIRECTORY = Path.of("target", "fault-suite");
    static LocalStack stack;
    static ServiceProcess producer1;
    static ServiceProcess producer2;
    static ServiceProcess groupA1;
    static ServiceProcess groupA2;
    static ServiceProcess groupB1;
    static JdbcTemplate jdbc;

    /** A failed step leaves every service's thread dump beside its log: what each was doing, or waiting on. */
    @RegisterExtension
    static final TestWatcher DUMP_THREADS_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            for (ServiceProcess service : List.of(producer1, producer2, groupA1, groupA2, groupB1)) {
                try {
                    service.dumpThreads();
                } catch (Exception e) {
                    cause.addSuppressed(e);
                }
            }
        }
    };

    @BeforeAll
    static void startStack() throws Exception {
        FileSystemUtils.deleteRecursively(DIRECTORY);
        stack = LocalStack.start(DIRECTORY);
        producer1 = stack.producer("producer-1", PRODUCER).start();
        producer2 = stack.producer("producer-2", PRODUCER).start();
        groupA1 = stack.consumer("consumer-1", "group-a", CONSUMER).start();
        groupA2 = stack.consumer("consumer-2", "group-a", CONSUMER).start();
        groupB1 = stack.consumer("consumer-3", "group-b", CONSUMER).start();
        for (ServiceProcess service : List.of(producer1, producer2, groupA1, groupA2, groupB1)) {
            service.awaitHealthy(START_UP);
        }
        jdbc = stack.jdbc();
    }

    @AfterAll
    static void stopStack() throws Exception {
        System.out.printf("%n%-50s %8s %5s %10s %10s %6s %9s%n", "fault", "accepted", "lost", "dup-kafka",
                "dup-stored", "order", "recovery");
        TABLE.forEach(System.out::println);
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void aProducerAndAConsumerKilledWithSigkillAndRestarted() throws Exception {
        try (Run run = new Run("producer + consumer SIGKILL, restarted", 40, scaled(60))) {
            run.awaitAccepted(run.total / 4);
            await().atMost(Duration.ofSeconds(60)).until(() -> run.persisted("group-a") > 0);
            producer1.kill();
            run.awaitAccepted(run.total / 2);
            groupA1.kill();
            producer1.start();
            groupA1.start();
            producer1.awaitHealthy(START_UP);
            groupA1.awaitHealthy(START_UP);
            run.faultOver();
        }
    }

    @Test
    @Order(2)
    void kafkaStoppedForAWhileThenRestarted() throws Exception {
        try (Run run = new Run(FULL ? "Kafka stopped 60 s, ingest goes on, restarted" : "Kafka stopped, ingest goes on, restarted", 20, scaled(60))) {
            run.awaitAccepted(run.total / 5);
            stack.kafka().stop();
            int during = run.load.acceptedCount();
            if (FULL) {
                TimeUnit.SECONDS.sleep(60);                  // the outage's length, not a synchronisation
                assertThat(run.load.acceptedCount()).as("ingest went on while Kafka was down").isGreaterThan(during);
            } else {
                run.awaitAccepted(during + run.total / 4);   // ingest keeps answering 202 while the broker is away
            }
            stack.kafka().start();
            run.faultOver();
        }
    }

    @Test
    @Order(3)
    void kafkaRestartedTwiceInQuickSuccession() throws Exception {
        try (Run run = new Run("Kafka restarted twice in quick succession", 20, scaled(60))) {
            run.awaitAccepted(run.total / 5);
            stack.kafka().stop();
            stack.kafka().start();
            stack.kafka().stop();
            stack.kafka().start();
            run.faultOver();
        }
    }

    @Test
    @Order(4)
    void postgresStoppedThenRestarted() throws Exception {
        try (Run run = new Run(FULL ? "PostgreSQL stopped 20 s, 503s meanwhile, restarted" : "PostgreSQL stopped, 503s meanwhile, restarted", 20, scaled(60))) {
            run.awaitAccepted(run.total / 5);
            long retriesBefore = run.load.retries();
            stack.postgres().stop();
            // ingest answers 503 within its bounded wait, and the careful client retries
            await().atMost(Duration.ofSeconds(60)).until(() -> run.load.retries() >= retriesBefore + 20);
            if (FULL) {
                TimeUnit.SECONDS.sleep(20);                  // the outage's length, not a synchronisation
            }
            stack.postgres().start();
            run.faultOver();
        }
    }

    @Test
    @Order(5)
    void aPublisherStalledPastItsLeaseWakesUpWithoutDeletingWhatItNoLongerOwns() throws Exception {
        try (Run run = new Run("publisher SIGSTOPped past its lease, resumed", 20, scaled(60))) {
            run.awaitAccepted(run.total / 5);
            producer1.pause();
            try {
                // the other producer takes every bucket over once the stalled one's lease has expired
                await().atMost(Duration.ofSeconds(30)).until(() -> owned("producer-2-instance") == buckets());
            } finally {
                producer1.resume();
            }
            run.faultOver();
        }
    }

    @Test
    @Order(6)
    void aConsumerGroupRebalanceStorm() throws Exception {
        try (Run run = new Run("group-a rebalance storm (member joins, leaves x" + rebalanceRounds() + ")", 20, scaled(80))) {
            ServiceProcess extra = stack.consumer("consumer-4", "group-a", CONSUMER);
            for (int round = 0; round < rebalanceRounds(); round++) {
                extra.start().awaitHealthy(START_UP);
                extra.stop();
            }
            run.faultOver();
        }
    }

    private static int scaled(int perKey) {
        return FULL ? perKey * 5 : perKey;
    }

    private static int rebalanceRounds() {
        return FULL ? 4 : 2;
    }

    private static long owned(String owner) {
        return count("select count(*) from bucket_leases where owner = ? and lease_until > now()", owner);
    }

    private static long buckets() {
        return count("select count(*) from bucket_leases");
    }

    private static long count(String sql, Object... arguments) {
        Long count = jdbc.queryForObject(sql, Long.class, arguments);
        return count == null ? 0 : count;
    }

    /** One fault's run: its own keys, a steady load through both producers, and the checks once it is over. */
    private static final class Run implements AutoCloseable {

        final String fault;
        final String id = UUID.randomUUID().toString().substring(0, 8);
        final int total;
        final KeyedLoad load;
        long faultOverAt;

        Run(String fault, int keys, int perKey) {
            this.fault = fault;
            this.total = keys * perKey;
            this.load = new KeyedLoad(List.of(producer1::baseUrl, producer2::baseUrl), LocalStack.TOPIC, 4);
            load.start(id, keys, perKey, 4, Duration.ofMillis(5));
        }

        void awaitAccepted(int count) {
            await().atMost(Duration.ofSeconds(90)).until(() -> load.acceptedCount() >= count);
        }

        void faultOver() {
            faultOverAt = System.nanoTime();
        }

        long persisted(String group) {
            return count("select count(*) from processed_events where consumer_group = ? and event_key like ?",
                    group, id + "-%");
        }

        /** Outputs the groups' routes wrote beyond one per event and group (0 unless processing repeated). */
        long outputsBeyondOnce() {
            return count("select count(*) from group_outputs o join processed_events p on p.consumer_group = "
                    + "o.consumer_group and p.event_id = o.event_id where p.event_key like ?", id + "-%")
                    - (long) total * GROUPS.size();
        }

        @Override
        public void close() throws Exception {
            try {
                load.awaitDone(Duration.ofSeconds(180));
                Map<UUID, KeyedLoad.Sent> accepted = load.accepted();
                assertThat(accepted).as(fault + ": every event accepted once").hasSize(total);
                BooleanSupplier allPersisted = () -> GROUPS.stream().allMatch(group -> persisted(group) == total);
                boolean drained = settles(Duration.ofSeconds(120), allPersisted) && settles(Duration.ofSeconds(30),
                        () -> outboxRowsOfRun() == 0);
                double recovery = (System.nanoTime() - faultOverAt) / 1e9;
                int violations = 0;
                for (String group : GROUPS) {
                    violations += orderViolations(group, accepted);
                }
                long lost = GROUPS.stream().mapToLong(group -> total - persisted(group)).sum();
                long duplicatesInKafka = recordsInKafka() - total;
                long duplicatesStored = outputsBeyondOnce();
                TABLE.add(String.format("%-50s %8d %5d %10d %10d %6d %8.1fs", fault, total, lost, duplicatesInKafka,
                        duplicatesStored, violations, recovery));
                assertThat(lost).as(fault + ": events not persisted by a group").isZero();
                assertThat(drained).as(fault + ": the outbox drained").isTrue();
                assertThat(duplicatesStored).as(fault + ": outputs written once per event and group").isZero();
                assertThat(violations).as(fault + ": per-key order").isZero();
                assertThat(List.of(producer1, producer2, groupA1, groupA2, groupB1)).as("no service needed a restart")
                        .allMatch(ServiceProcess::isAlive);
                for (ServiceProcess service : List.of(producer1, producer2, groupA1, groupA2, groupB1)) {
                    service.awaitHealthy(Duration.ofSeconds(30));
                }
            } finally {
                load.close();
            }
        }

        /** Waits for the condition like Awaitility, but answers instead of throwing, so the table gets its row. */
        private boolean settles(Duration within, BooleanSupplier condition) {
            try {
                await().atMost(within).pollInterval(Duration.ofMillis(500)).until(condition::getAsBoolean);
                return true;
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                return false;
            }
        }

        private long outboxRowsOfRun() {
            return count("select count(*) from outbox where event_key like ?", id + "-%");
        }

        /**
         * The group's rows are accepted events (the primary key allows no second row), each key's events sit in one
         * partition, and the group persisted them in the order they were sent.
         */
        private int orderViolations(String group, Map<UUID, KeyedLoad.Sent> accepted) {
            List<Map<String, Object>> rows = jdbc.queryForList("select event_id, kafka_partition from processed_events "
                    + "where consumer_group = ? and event_key like ? order by seq", group, id + "-%");
            Map<String, Integer> lastSequence = new HashMap<>();
            Map<String, Integer> partitionOfKey = new HashMap<>();
            int violations = 0;
            for (Map<String, Object> row : rows) {
                KeyedLoad.Sent sent = accepted.get((UUID) row.get("event_id"));
                assertThat(sent).as(group + " persisted an event that was never accepted: " + row).isNotNull();
                Integer partition = (Integer) row.get("kafka_partition");
                Integer keyPartition = partitionOfKey.putIfAbsent(sent.key(), partition);
                Integer previous = lastSequence.put(sent.key(), sent.sequence());
                if ((keyPartition != null && !keyPartition.equals(partition))
                        || (previous != null && previous >= sent.sequence())) {
                    violations++;
                }
            }
            return violations;
        }

        /** Records of this run's events in the topic, duplicates included. */
        private long recordsInKafka() {
            Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers(),
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
            long count = 0;
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
                List<TopicPartition> partitions = consumer.partitionsFor(LocalStack.TOPIC).stream()
                        .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                        if (record.key() != null && new String(record.key(), StandardCharsets.UTF_8).startsWith(id + "-")) {
                            count++;
                        }
                    }
                }
            }
            return count;
        }
    }
}
