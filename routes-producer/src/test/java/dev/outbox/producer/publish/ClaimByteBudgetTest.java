package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * A claim ends with the row that brings its payloads and headers to the byte budget, so a backlog of large events is
 * sent a few at a time instead of a whole row count of them at once (the heap a claim takes is bounded), and a batch
 * cut by the budget counts as full: one drain publishes the whole backlog, in order.
 */
class ClaimByteBudgetTest extends ProducerTestBase {

    private static final String KEY = "large-events";
    private static final int BUDGET = 80_000;
    /** 20 rows of 2 KB fit the budget: the claim sums sizes only because it finds rows over 2 KB in its range. */
    private static final int ROWS = 20;

    @Autowired
    EventStore store;

    @Autowired
    KeyBuckets buckets;

    @Test
    void claimsStopAtTheByteBudgetAndOneDrainPublishesTheWholeBacklogInOrder() throws Exception {
        List<IngestRequest> backlog = new ArrayList<>();
        // larger than the budget: comes alone
        backlog.add(event(json(100_000), null));
        // four of exactly 20,000 bytes: the fourth brings the claim to the budget exactly, which ends it (full)
        for (int i = 0; i < 4; i++) {
            backlog.add(event(json(20_000), null));
        }
        // about 41,000 bytes, 40,000 of them headers, then two of 20,000: the second of those crosses the budget
        backlog.add(event(json(1_000), headers(10, 4_000)));
        backlog.add(event(json(20_000), null));
        backlog.add(event(json(20_000), null));
        // three of 20,000: 60,000 bytes, the end of the backlog
        for (int i = 0; i < 3; i++) {
            backlog.add(event(json(20_000), null));
        }
        List<UUID> events = store.accept(backlog).stream().map(e -> e.eventId()).toList();

        try (var instance = new PublisherInstance("budget-" + System.nanoTime(), TestDatabase.server(),
                TestKafka.broker().bootstrapServers(), buckets.count(), Duration.ofSeconds(10),
                new OutboxPublisher.BatchLimit(ROWS, BUDGET))) {
            int bucket = buckets.bucketOf(KEY);
            await().atMost(Duration.ofSeconds(15)).until(() -> {
                instance.leases.heartbeat(); // a lease left by an instance another test stopped expires first
                return instance.leases.owned().containsKey(bucket);
            });

            instance.publisher.drain();

            assertThat(published(events)).as("every event published by the one drain").isEqualTo(events.size());
            assertThat(eventsPerBatch(events)).as("events of the backlog per publish batch, in id order")
                    .containsExactly(1, 4, 3, 3);
            List<Long> offsets = events.stream().map(this::offsetOf).toList();
            assertThat(offsets).as("Kafka offsets in event order").isSorted().doesNotHaveDuplicates();
        }
    }

    private static IngestRequest event(String payload, String headers) {
        return new IngestRequest("shared-events", KEY, payload, headers, null);
    }

    /** A JSON string of exactly {@code length} bytes. */
    private static String json(int length) {
        return "\"" + "x".repeat(length - 2) + "\"";
    }

    private static String headers(int count, int valueLength) {
        StringBuilder headers = new StringBuilder("{");
        for (int i = 0; i < count; i++) {
            headers.append(i == 0 ? "" : ",").append("\"h").append(i).append("\":").append(json(valueLength));
        }
        return headers.append("}").toString();
    }

    private int published(List<UUID> events) {
        return jdbc.queryForObject("select count(*) from published_events where event_id = any(?)", Integer.class,
                (Object) events.toArray(UUID[]::new));
    }

    /** How many of these events each publication batch holds (rows other tests left may share the first one). */
    private List<Integer> eventsPerBatch(List<UUID> events) {
        return jdbc.queryForList("select count(*)::integer from publication_batches b, unnest(b.event_ids) e "
                + "where e = any(?) group by b.outbox_ids order by lower(b.outbox_ids)", Integer.class,
                (Object) events.toArray(UUID[]::new));
    }

    private long offsetOf(UUID event) {
        return jdbc.queryForObject("select kafka_offset from published_events where event_id = ?", Long.class, event);
    }
}
