package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outbox.producer.ingest.EventStore;
import dev.outbox.producer.ingest.IngestRequest;
import dev.outbox.producer.support.ProducerTestBase;
import dev.outbox.infra.testing.TestDatabase;
import dev.outbox.infra.testing.TestKafka;

/**
 * Bucket ownership: a stalled instance (no heartbeat) loses its buckets within the lease timeout, and when it
 * wakes it deletes nothing it no longer owns, wherever it stalled; a graceful shutdown hands its buckets over at
 * once. Under its own lease a completion removes the rows and records each acknowledgement to the microsecond.
 */
class LeaseTakeoverTest extends ProducerTestBase {

    private static final Duration LEASE = Duration.ofSeconds(2);

    @Autowired
    KeyBuckets buckets;

    @Autowired
    EventStore store;

    @Test
    void completesUnderItsLeaseAndRecordsWhereAndWhenKafkaAcknowledged() throws Exception {
        try (var owner = instance("owner")) {
            owner.leases.heartbeat();
            var event = store.accept(List.of(new IngestRequest("shared-events", "k", "\"m\"", null, null))).get(0);
            OutboxRow claimed = new OutboxRepository(dataSource)
                    .claim(owner.leases.owned().keySet(), 0, 10, Long.MAX_VALUE).rows().get(0);
            Instant ackedAt = Instant.parse("2026-11-27T04:05:06.123456789Z");

            int completed = new OutboxRepository(dataSource).complete(
                    List.of(new OutboxRepository.Published(claimed, ackedAt, 4, 1234567890123L)), owner.leases.owned(),
                    owner.instanceId).completed();

            assertThat(completed).isOne();
            assertThat(rows("outbox")).isZero();
            var publication = jdbc.queryForMap("select published_at, kafka_partition, kafka_offset "
                    + "from published_events where event_id = ?", event.eventId());
            assertThat(((java.sql.Timestamp) publication.get("published_at")).toInstant())
                    .isEqualTo(Instant.parse("2026-11-27T04:05:06.123456Z"));
            assertThat(publication).containsEntry("kafka_partition", 4).containsEntry("kafka_offset", 1234567890123L);
        }
    }

    @Test
    void recordsEachEventsOwnPartitionOffsetAndAckTimeAlsoWhenPartOfTheBatchWasFencedOut() throws Exception {
        try (var owner = instance("owner")) {
            owner.leases.heartbeat();
            var repository = new OutboxRepository(dataSource);

            List<OutboxRepository.Published> whole = acked(repository, owner, 12, 0);
            assertThat(repository.complete(whole, owner.leases.owned(), owner.instanceId).completed())
                    .as("the whole batch under its fences").isEqualTo(12);
            assertThat(rows("outbox")).isZero();
            assertRecorded(whole, -1);
            assertThat(rows("publication_batches")).isOne();

            List<OutboxRepository.Published> part = acked(repository, owner, 12, 100);
            int lost = part.get(3).row().bucket(); // a bucket in the middle of the batch changed owner
            Map<Integer, Long> fences = new HashMap<>(owner.leases.owned());
            fences.put(lost, fences.get(lost) - 1);
            int kept = (int) part.stream().filter(p -> p.row().bucket() != lost).count();
            assertThat(kept).isPositive();

            assertThat(repository.complete(part, fences, owner.instanceId).completed()).isEqualTo(kept)
                    .isLessThan(part.size());
            assertThat(jdbc.queryForList("select bucket from outbox", Integer.class)).containsOnly(lost);
            assertRecorded(part, lost);
            assertThat(rows("publication_batches")).isEqualTo(2);

            jdbc.update("delete from outbox");
            List<OutboxRepository.Published> shuffled = new ArrayList<>(acked(repository, owner, 12, 200));
            Collections.reverse(shuffled);
            shuffled.add(shuffled.get(5)); // the same acknowledgement twice, out of id order
            assertThat(repository.complete(shuffled, owner.leases.owned(), owner.instanceId).completed())
                    .as("out of order and twice").isEqualTo(12);
            assertRecorded(shuffled, -1);
            assertThat(rows("publication_batches")).isEqualTo(3);
        }
    }

    @Test
    void takesOverAStalledInstancesBucketsAndFencesItsLateDeletes() throws Exception {
        try (var stalled = instance("stalled"); var survivor = instance("survivor")) {
            stalled.leases.heartbeat();
            assertThat(stalled.leases.ownedCount()).isEqualTo(buckets.count());
            var event = store.accept(List.of(new IngestRequest("shared-events", "late", "\"m\"", null, null))).get(0);
            Map<Integer, Long> fencesBeforeStall = stalled.leases.owned();
            OutboxRow claimed = new OutboxRepository(dataSource)
                    .claim(fencesBeforeStall.keySet(), 0, 10, Long.MAX_VALUE).rows().get(0);

            long stalledAt = System.nanoTime();
            await().atMost(LEASE.plusSeconds(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
                survivor.leases.heartbeat();
                return survivor.leases.ownedCount() == buckets.count();
            });
            assertThat(Duration.ofNanos(System.nanoTime() - stalledAt)).isLessThan(LEASE.plusSeconds(2));

            int completed = new OutboxRepository(dataSource).complete(List.of(new OutboxRepository.Published(
                    claimed, Instant.now(), 0, 0L)), fencesBeforeStall, stalled.instanceId).completed();
            assertThat(completed).as("a late complete under a stale fence deletes nothing").isZero();
            assertThat(jdbc.queryForObject("select count(*) from outbox where event_id = ?", Integer.class,
                    event.eventId())).isEqualTo(1);

            stalled.leases.heartbeat();
            assertThat(stalled.leases.ownedCount()).as("it learns on its next heartbeat").isZero();
        }
    }

    @Test
    void anInstanceFrozenRightAfterCompletingABatchKeepsNoOneFromItsBuckets() throws Exception {
        try (var frozen = instance("frozen"); var survivor = instance("survivor")) {
            frozen.leases.heartbeat();
            var event = store.accept(List.of(new IngestRequest("shared-events", "frozen", "\"m\"", null, null))).get(0);
            Map<Integer, Long> fences = frozen.leases.owned();
            OutboxRow claimed = new OutboxRepository(dataSource).claim(fences.keySet(), 0, 10, Long.MAX_VALUE)
                    .rows().get(0);
            var freezer = new FreezeAfterCompletion(dataSource);
            CompletableFuture<Integer> completing = CompletableFuture.supplyAsync(() -> new OutboxRepository(
                    freezer.dataSource()).complete(List.of(new OutboxRepository.Published(claimed,
                    Instant.now(), 0, 0L)), fences, frozen.instanceId).completed());
            try {
                assertThat(freezer.frozen.await(10, TimeUnit.SECONDS)).as("the completion ran").isTrue();
                // like a SIGSTOP once the completion went out: no further message reaches PostgreSQL from it
                await().atMost(LEASE.plusSeconds(3)).pollInterval(Duration.ofMillis(100)).until(() -> {
                    survivor.leases.heartbeat();
                    return survivor.leases.ownedCount() == buckets.count();
                });
            } finally {
                freezer.thaw.countDown();
            }
            assertThat(completing.get(10, TimeUnit.SECONDS)).as("completed under the fence it held then").isOne();
            assertThat(jdbc.queryForObject("select count(*) from publication_batches where ? = any(event_ids)",
                    Integer.class, event.eventId())).as("recorded once").isOne();
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

    /** Accepts {@code events} events with keys of their own, claims them and gives each a partition and offset. */
    private List<OutboxRepository.Published> acked(OutboxRepository repository, PublisherInstance owner, int events,
                                                   int offsetBase) {
        List<IngestRequest> requests = new ArrayList<>();
        for (int k = 0; k < events; k++) {
            requests.add(new IngestRequest("shared-events", "key-" + (offsetBase + k), "\"m\"", null, null));
        }
        store.accept(requests);
        List<OutboxRow> claimed = repository.claim(owner.leases.owned().keySet(), 0, 100, Long.MAX_VALUE).rows();
        assertThat(claimed).hasSize(events);
        Instant base = Instant.parse("2026-11-27T04:05:06.123456Z").plusSeconds(offsetBase);
        List<OutboxRepository.Published> published = new ArrayList<>();
        for (int i = 0; i < claimed.size(); i++) {
            published.add(new OutboxRepository.Published(claimed.get(i), base.plusMillis(i), i % 6, offsetBase + i));
        }
        return published;
    }

    /** Each event's own partition, offset and ack time are on record, but for those of the bucket {@code fencedOut}. */
    private void assertRecorded(List<OutboxRepository.Published> published, int fencedOut) {
        for (OutboxRepository.Published p : published) {
            var publication = jdbc.queryForList("select kafka_partition, kafka_offset, published_at "
                    + "from published_events where event_id = ?", p.row().eventId());
            if (p.row().bucket() == fencedOut) {
                assertThat(publication).as("fenced out: not recorded").isEmpty();
            } else {
                assertThat(publication).singleElement().satisfies(row -> {
                    assertThat(row).containsEntry("kafka_partition", p.partition())
                            .containsEntry("kafka_offset", p.offset());
                    assertThat(((java.sql.Timestamp) row.get("published_at")).toInstant()).isEqualTo(p.publishedAt());
                });
            }
        }
    }

    private PublisherInstance instance(String name) {
        return new PublisherInstance(name + "-" + System.nanoTime(), TestDatabase.server(),
                TestKafka.broker().bootstrapServers(), buckets.count(), LEASE);
    }


    /**
     * Hands out connections whose thread freezes at its first JDBC call after the statement that deletes outbox
     * rows, until {@link #thaw}: a process stopped between the messages of a completion.
     */
    private static final class FreezeAfterCompletion {

        final CountDownLatch frozen = new CountDownLatch(1);
        final CountDownLatch thaw = new CountDownLatch(1);
        private final DataSource target;
        private volatile boolean completionSent;

        FreezeAfterCompletion(DataSource target) {
            this.target = target;
        }

        DataSource dataSource() {
            return proxy(DataSource.class, target);
        }

        private <T> T proxy(Class<T> type, Object delegate) {
            return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, method, args) -> {
                if (completionSent && frozen.getCount() > 0) {
                    frozen.countDown();
                    thaw.await(30, TimeUnit.SECONDS);
                }
                Object result;
                try {
                    result = method.invoke(delegate, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                if (result instanceof Connection connection) {
                    return proxy(Connection.class, connection);
                }
                if (result instanceof PreparedStatement statement && args != null
                        && String.valueOf(args[0]).contains("delete from outbox")) {
                    return proxy(PreparedStatement.class, statement);
                }
                if (delegate instanceof PreparedStatement && method.getName().startsWith("execute")) {
                    completionSent = true;
                }
                return result;
            }));
        }
    }
}
