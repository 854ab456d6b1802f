package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outbox.producer.ingest.EventStore;
import dev.outbox.producer.ingest.IngestRequest;
import dev.outbox.producer.support.ProducerTestBase;
import dev.outbox.infra.testing.TestDatabase;
import dev.outbox.infra.testing.TestKafka;

/**
 * Bucket ownership: a stalled instance (no heartbeat) loses its buckets within the lease timeout, and when it
 * wakes it deletes nothing it no longer owns; a graceful shutdown hands its buckets over at once.
 */
class LeaseTakeoverTest extends ProducerTestBase {

    private static final Duration LEASE = Duration.ofSeconds(2);

    @Autowired
    KeyBuckets buckets;

    @Autowired
    EventStore store;

    @Test
    void takesOverAStalledInstancesBucketsAndFencesItsLateDeletes() throws Exception {
        try (var stalled = instance("stalled"); var survivor = instance("survivor")) {
            stalled.leases.heartbeat();
            assertThat(stalled.leases.ownedCount()).isEqualTo(buckets.count());
            var event = store.accept(List.of(new IngestRequest("shared-events", "late", "\"m\"", null, null))).get(0);
            Map<Integer, Long> fencesBeforeStall = stalled.leases.owned();
            OutboxRow claimed = new OutboxRepository(dataSourceOfTest()).claim(fencesBeforeStall.keySet(), 10).get(0);

            long stalledAt = System.nanoTime();
            await().atMost(LEASE.plusSeconds(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
                survivor.leases.heartbeat();
                return survivor.leases.ownedCount() == buckets.count();
            });
            assertThat(Duration.ofNanos(System.nanoTime() - stalledAt)).isLessThan(LEASE.plusSeconds(2));

            int completed = new OutboxRepository(dataSourceOfTest()).complete(List.of(new OutboxRepository.Published(
                    claimed, Timestamp.from(Instant.now()), 0, 0L)), fencesBeforeStall, stalled.instanceId);
            assertThat(completed).as("a late complete under a stale fence deletes nothing").isZero();
            assertThat(jdbc.queryForObject("select count(*) from outbox where event_id = ?", Integer.class,
                    event.eventId())).isEqualTo(1);

            stalled.leases.heartbeat();
            assertThat(stalled.leases.ownedCount()).as("it learns on its next heartbeat").isZero();
        }
    }

    @Test
    void spreadsBucketsOverLiveInstancesAndHandsThemOverAtOnceOnShutdown() throws Exception {
        try (var first = instance("first"); var second = instance("second")) {
            first.leases.heartbeat();
            second.leases.heartbeat();
            await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> {
                first.leases.heartbeat();
                first.leases.applyReleases();
                second.leases.heartbeat();
                return first.leases.ownedCount() == buckets.count() / 2 && second.leases.ownedCount() == buckets.count() / 2;
            });

            first.leases.releaseAll();
            second.leases.heartbeat();

            assertThat(second.leases.ownedCount()).as("no wait for expiry after a graceful release")
                    .isEqualTo(buckets.count());
        }
    }

    private PublisherInstance instance(String name) {
        return new PublisherInstance(name + "-" + System.nanoTime(), TestDatabase.server(),
                TestKafka.broker().bootstrapServers(), buckets.count(), LEASE);
    }

    private javax.sql.DataSource dataSourceOfTest() {
        return dataSource;
    }
}
