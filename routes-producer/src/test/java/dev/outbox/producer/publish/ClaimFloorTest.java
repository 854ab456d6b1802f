package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outbox.infra.testing.TestDatabase;
import dev.outbox.infra.testing.TestKafka;
import dev.outbox.producer.ingest.EventStore;
import dev.outbox.producer.ingest.IngestRequest;
import dev.outbox.producer.support.ProducerTestBase;

/**
 * Claims start from a floor per bucket (BucketFloors) and still publish a row whose transaction took its id before
 * rows of the same bucket that were committed, published and deleted meanwhile: the row is published once its
 * transaction commits, after those rows, as commits ordered them. The instance checks its floors only at its start,
 * so a floor that rose past the open transaction's id would leave the row in the outbox.
 */
class ClaimFloorTest extends ProducerTestBase {

    private static final String KEY = "late-key";

    @Autowired
    EventStore store;

    @Autowired
    KeyBuckets buckets;

    @Test
    void publishesARowCommittedAfterLaterIdsOfItsBucketWerePublished() throws Exception {
        try (var instance = new PublisherInstance("floor-" + System.nanoTime(), TestDatabase.server(),
                TestKafka.broker().bootstrapServers(), buckets.count(), Duration.ofSeconds(10))
                .start(Duration.ofMillis(500));
             Connection late = dataSource.getConnection()) {
            late.setAutoCommit(false);
            UUID lateEvent = UUID.randomUUID();
            insertAsIngestDoes(late, lateEvent); // takes an outbox id, and keeps its transaction open

            List<UUID> committed = new ArrayList<>();
            for (int round = 0; round < 3; round++) { // claims that see later ids of the bucket and complete them
                committed.addAll(store.accept(List.of(new IngestRequest("shared-events", KEY, "\"m\"", null, null),
                        new IngestRequest("shared-events", KEY, "\"m\"", null, null)))
                        .stream().map(e -> e.eventId()).toList());
                await().atMost(Duration.ofSeconds(10)).until(() -> published(committed) == committed.size());
            }
            late.commit();

            await().atMost(Duration.ofSeconds(10)).until(() -> published(List.of(lateEvent)) == 1);
            long lateOffset = offsetOf(lateEvent);
            for (UUID earlier : committed) {
                assertThat(offsetOf(earlier)).as("committed before it, published before it").isLessThan(lateOffset);
            }
        }
    }

    /** As insert-events.sql: a transaction id first, then the outbox row, then the event with its outbox id. */
    private void insertAsIngestDoes(Connection connection, UUID eventId) throws Exception {
        connection.createStatement().execute("select pg_current_xact_id()");
        try (PreparedStatement insert = connection.prepareStatement("with queued as ("
                + "insert into outbox (event_id, bucket, topic, event_key, payload, accepted_at, accepted_by) "
                + "values (?, " + buckets.bucketOf(KEY) + ", 'shared-events', ?, '\"m\"', now(), 'test') returning id) "
                + "insert into events (event_id, topic, event_key, payload, accepted_at, accepted_by, outbox_id) "
                + "select ?, 'shared-events', ?, '\"m\"', now(), 'test', id from queued")) {
            insert.setObject(1, eventId);
            insert.setString(2, KEY);
            insert.setObject(3, eventId);
            insert.setString(4, KEY);
            insert.executeUpdate();
        }
    }

    private int published(List<UUID> events) {
        return jdbc.queryForObject("select count(*) from published_events where event_id = any(?)", Integer.class,
                (Object) events.toArray(UUID[]::new));
    }

    private long offsetOf(UUID event) {
        return jdbc.queryForObject("select kafka_offset from published_events where event_id = ?", Long.class, event);
    }
}
