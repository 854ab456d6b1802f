package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.outbox.infra.testing.TestDatabase;
import dev.outbox.infra.testing.TestKafka;
import dev.outbox.producer.ingest.EventStore;
import dev.outbox.producer.ingest.IngestRequest;
import dev.outbox.producer.support.ProducerTestBase;
import dev.outbox.shared.SqlFiles;

/**
 * DESIGN.md promise 5 and the backlog cap: retention purges published history in bounded batches and never a
 * pending event; over the cap, ingest answers 503 with Retry-After instead of growing the outbox.
 */
@TestPropertySource(properties = {"outbox.ingest.max-pending-events=3", "outbox.retention.batch-size=7"})
class RetentionAndBackpressureTest extends ProducerTestBase {

    @Autowired
    EventStore store;

    @Autowired
    RetentionJob retention;

    @Autowired
    BacklogMonitor backlog;

    @Autowired
    KeyBuckets buckets;

    @Test
    void purgesOldPublishedEventsInBatchesAndNeverAPendingOne() throws Exception {
        var events = store.accept(IntStream.range(0, 20)
                .mapToObj(i -> new IngestRequest("shared-events", "k", "{\"i\":" + i + "}", null, null)).toList());
        UUID pending = events.get(0).eventId();
        UUID publishedBeforeV6 = events.get(1).eventId(); // its publication recorded per event, in event_publications
        // the other 18 published by the completion statement, 8 days ago, in batches of 3, 3, 9 and 3 events
        List<OutboxRow> rows = new OutboxRepository(dataSource).claim(
                IntStream.range(0, buckets.count()).boxed().toList(), 0, 20, Long.MAX_VALUE).rows();
        Instant longAgo = Instant.now().minus(Duration.ofDays(8));
        try (var owner = new PublisherInstance("retention-" + System.nanoTime(), TestDatabase.server(),
                TestKafka.broker().bootstrapServers(), buckets.count(), Duration.ofSeconds(10))) {
            owner.leases.heartbeat();
            int from = 2;
            for (int size : new int[] {3, 3, 9, 3}) {
                var batch = rows.subList(from, from + size).stream()
                        .map(row -> new OutboxRepository.Published(row, longAgo, 0, row.id())).toList();
                from += size;
                new OutboxRepository(dataSource).complete(batch, owner.leases.owned(), owner.instanceId);
            }
        }
        jdbc.update("delete from outbox where event_id = ?", publishedBeforeV6);
        jdbc.update("update events set outbox_id = null where event_id = ?", publishedBeforeV6);
        jdbc.update("insert into event_publications values (?, now() - interval '8 days', 0, 0)", publishedBeforeV6);
        jdbc.update("update events set accepted_at = now() - interval '8 days'");
        jdbc.update("update publication_batches set published_at = now() - interval '8 days'");
        jdbc.update("insert into idempotency_keys (idempotency_key, request_hash, created_at) "
                + "values ('old', '\\x00', now() - interval '8 days'), ('new', '\\x00', now())");
        assertThat(http.get("/api/messages/" + publishedBeforeV6).json().get("status").asText())
                .as("a publication recorded before V6 is still read").isEqualTo("PUBLISHED");

        // a run bounded to one statement per kind leaves published events: no publication batch goes
        long capped = new RetentionJob(dataSource, Duration.ofDays(7), Duration.ofDays(30), 7, 1).purge();
        assertThat(capped).as("7 events and 1 idempotency key").isEqualTo(7 + 1);
        assertThat(rows("publication_batches")).isEqualTo(4);

        // one statement of publication batches (retention batch size 7): the first two (6 events), not the third
        long first = jdbc.queryForObject(SqlFiles.load("sql/purge-publication-batches.sql"), Long.class,
                Timestamp.from(Instant.now().minus(Duration.ofDays(7))), 7, 7);
        assertThat(first).isEqualTo(6);
        long purged = retention.purge();

        // the other 12 events, 12 more events' publications (a 9-event batch alone, then the last)
        assertThat(purged).isEqualTo(12 + 12);
        assertThat(jdbc.queryForList("select event_id from events", UUID.class)).containsExactly(pending);
        assertThat(jdbc.queryForList("select idempotency_key from idempotency_keys", String.class)).containsExactly("new");
        assertThat(rows("outbox")).isEqualTo(1);
        assertThat(rows("publication_batches")).isZero();
        assertThat(rows("event_publications")).isZero();
    }

    @Test
    void purgesOldDeadLettersWithTheirEventsAndKeepsRecentOnes() {
        var events = store.accept(IntStream.range(0, 3)
                .mapToObj(i -> new IngestRequest("shared-events", "k", "{\"i\":" + i + "}", null, null)).toList());
        // dead-lettered by the publisher's own statement, the first two long ago
        var repository = new OutboxRepository(dataSource);
        repository.claim(IntStream.range(0, buckets.count()).boxed().toList(), 0, 10, Long.MAX_VALUE).rows()
                .forEach(row -> repository.deadLetter(row, "refused"));
        jdbc.update("update dead_letters set dead_lettered_at = now() - interval '31 days' where event_id <> ?",
                events.get(2).eventId());
        // accepted long before the event retention: a dead letter keeps its event until its own age
        jdbc.update("update events set accepted_at = now() - interval '40 days'");

        long purged = retention.purge();

        assertThat(purged).isEqualTo(2);
        assertThat(jdbc.queryForList("select event_id from dead_letters", UUID.class))
                .containsExactly(events.get(2).eventId());
        assertThat(jdbc.queryForList("select event_id from events", UUID.class))
                .as("a purged dead letter's history goes with it").containsExactly(events.get(2).eventId());
    }

    @Test
    void vacuumsTheOutboxAfterAFixedNumberOfDeletedRowsWhateverItsSize() {
        // claims walk the entries of deleted rows until a vacuum removes them (V5__outbox_autovacuum.sql)
        assertThat(jdbc.queryForList("select unnest(reloptions) from pg_class where relname = 'outbox'", String.class))
                .contains("autovacuum_vacuum_scale_factor=0", "autovacuum_vacuum_threshold=10000");
    }

    @Test
    void answers503WithRetryAfterOverTheBacklogCap() {
        backlog.refresh(); // not what an earlier test left in the gauge
        for (int i = 0; i < 3; i++) {
            assertThat(http.postJson("/api/messages/send", "{\"topic\":\"shared-events\",\"message\":\"m\"}").status())
                    .isEqualTo(202);
        }

        // the cap reads the backlog gauge, refreshed every second: wait until it has seen the three
        await().atMost(Duration.ofSeconds(10)).until(() -> backlog.pending() >= 3);

        var refused = http.postJson("/api/messages/send", "{\"topic\":\"shared-events\",\"message\":\"m\"}");
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isNotBlank();
        assertThat(refused.json().get("type").asText()).endsWith("backlog-full");
        assertThat(rows("outbox")).isEqualTo(3);
    }

    @Test
    void countsTheBacklogExactlyUpToItsLimit() {
        var monitor = new BacklogMonitor(dataSource, new SimpleMeterRegistry(), 5);
        store.accept(IntStream.range(0, 4)
                .mapToObj(i -> new IngestRequest("shared-events", "k" + i, "\"m\"", null, null)).toList());

        monitor.refresh();

        assertThat(monitor.pending()).isEqualTo(4);
    }

    @Test
    void takesPostgresqlsLiveRowFigureAboveTheLimitOrThePlannersWhenThatWasLost() {
        assertThat(BacklogMonitor.pending(10_000, 9_999, 0, 0)).as("under the limit: counted").isEqualTo(9_999);
        assertThat(BacklogMonitor.pending(10_000, 10_000, 250_000, 1_000_000)).as("live rows").isEqualTo(250_000);
        assertThat(BacklogMonitor.pending(10_000, 10_000, 9_000, 1_000_000)).as("live rows, late").isEqualTo(10_000);
        assertThat(BacklogMonitor.pending(10_000, 10_000, 40, 250_000)).as("lost: planner").isEqualTo(250_000);
        assertThat(BacklogMonitor.pending(10_000, 10_000, 40, 0)).as("lost, never analysed").isEqualTo(10_000);
    }

    @Test
    void showsWhichGroupsProcessedAnEvent() {
        var event = store.accept(List.of(new IngestRequest("shared-events", "k", "\"m\"", null, null))).get(0);
        jdbc.update("insert into processed_events (consumer_group, event_id, event_key, topic, kafka_partition, "
                + "kafka_offset, processed_at, processed_by) values ('group-b', ?, 'k', 'shared-events', 0, 7, now(), 'c')",
                event.eventId());

        var status = http.get("/api/messages/" + event.eventId()).json();

        assertThat(status.get("processedBy")).hasSize(1);
        assertThat(status.get("processedBy").get(0).get("group").asText()).isEqualTo("group-b");
        assertThat(status.get("processedBy").get(0).get("processedAt").asText()).matches("\\d{4}-.*\\.\\d{6}Z");
    }
}
