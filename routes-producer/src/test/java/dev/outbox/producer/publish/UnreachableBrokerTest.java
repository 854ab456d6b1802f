package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outbox.infra.FreePorts;
import dev.outbox.infra.testing.TestDatabase;
import dev.outbox.producer.ingest.EventStore;
import dev.outbox.producer.ingest.IngestRequest;
import dev.outbox.producer.support.ProducerTestBase;

/**
 * A publisher that cannot reach Kafka at all (no metadata for the topic yet, e.g. an instance started during an
 * outage) fails its claim once, not once per row: the producer blocks {@code max.block.ms} in each send before
 * it gives up, so a claim of thousands of rows would stall its lane for hours. Nothing is lost or dead-lettered:
 * each bucket's first row waits for its retry, the rest stay behind it.
 */
class UnreachableBrokerTest extends ProducerTestBase {

    private static final int EVENTS = 40;
    private static final Duration MAX_BLOCK = Duration.ofSeconds(1);

    @Autowired
    EventStore store;

    @Autowired
    KeyBuckets buckets;

    @Test
    void aClaimFailsOnceWhenTheBrokerCannotBeReachedInsteadOfBlockingForEveryRow() throws Exception {
        List<IngestRequest> backlog = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            backlog.add(new IngestRequest("shared-events", "unreachable-" + i, "{\"n\":" + i + "}", null, null));
        }
        List<UUID> events = store.accept(backlog).stream().map(e -> e.eventId()).toList();
        Set<Integer> eventBuckets = backlog.stream().map(e -> buckets.bucketOf(e.key())).collect(Collectors.toSet());
        String nowhere = "127.0.0.1:" + FreePorts.find(); // nothing listens there

        try (var instance = new PublisherInstance("unreachable-" + System.nanoTime(), TestDatabase.server(), nowhere,
                buckets.count(), Duration.ofSeconds(10), new OutboxPublisher.BatchLimit(1000, 4 * 1024 * 1024),
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) MAX_BLOCK.toMillis()))) {
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                instance.leases.heartbeat(); // a lease left by an instance another test stopped expires first
                return instance.leases.owned().keySet().containsAll(eventBuckets);
            });

            long started = System.nanoTime();
            instance.publisher.drain();
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(took).as("one drain over %d rows with max.block.ms %s (blocking per row: %d s or more)",
                    EVENTS, MAX_BLOCK, EVENTS * MAX_BLOCK.toSeconds()).isLessThan(MAX_BLOCK.multipliedBy(10));
            assertThat(count("select count(*) from outbox where event_id = any(?)", events))
                    .as("every event still waits in the outbox").isEqualTo(EVENTS);
            // the head of each bucket (a row another test left may come before these events) failed once, with a
            // retry due; the rows behind it were not tried
            assertThat(jdbc.queryForObject("select count(*) from (select distinct on (bucket) attempts, "
                    + "next_attempt_at from outbox where bucket = any(?) order by bucket, id) head "
                    + "where attempts = 1 and next_attempt_at is not null", Integer.class,
                    (Object) eventBuckets.toArray(Integer[]::new)))
                    .as("one failed attempt, and a retry due, for the first row of each bucket")
                    .isEqualTo(eventBuckets.size());
            assertThat(count("select count(*) from outbox where event_id = any(?) and attempts > 1", events))
                    .as("no row tried twice").isZero();
            assertThat(count("select count(*) from dead_letters where event_id = any(?)", events))
                    .as("a broker out of reach is transient: nothing dead-lettered").isZero();
        } finally {
            jdbc.update("delete from outbox where event_id = any(?)", (Object) events.toArray(UUID[]::new));
        }
    }

    private int count(String sql, List<UUID> events) {
        return jdbc.queryForObject(sql, Integer.class, (Object) events.toArray(UUID[]::new));
    }
}
