package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import dev.outbox.infra.testing.TestKafka;
import dev.outbox.producer.ingest.EventStore;
import dev.outbox.producer.ingest.IngestRequest;

/**
 * Latency without fast polling: a commit wakes the publisher that owns its rows, on this instance in-process and
 * on another instance through PostgreSQL LISTEN/NOTIFY. The poll period is an hour here, so only a wake-up can
 * publish within the test's bounds. Batches are 10 rows, so that a backlog takes many rounds.
 */
@TestPropertySource(properties = {"outbox.publisher.poll-period=1h", "outbox.publisher.batch-size=10"})
class PublisherWakeupTest extends PublisherTestBase {

    @Autowired
    EventStore store;

    @Autowired
    KeyBuckets buckets;

    /** The table reset took the leases away; acquiring them again wakes the publisher once, before the test. */
    @BeforeEach
    void ownEveryBucketAgain() {
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc.queryForObject(
                "select count(*) from bucket_leases where owner = 'producer-1-instance' and lease_until > now()",
                Integer.class) == buckets.count());
    }

    @Test
    void publishesAnEventCommittedOnThisInstanceWithoutWaitingForThePoll() {
        http.postJson("/api/messages/send", "{\"topic\":\"shared-events\",\"message\":{\"n\":1},\"key\":\"k\"}");

        await().atMost(Duration.ofSeconds(10)).until(() -> rows("outbox") == 0);
    }

    @Test
    void drainsAHotKeysBacklogInOneWakeUpOnceEachAndInOrderWhileTheOtherLanesAreEmpty() {
        // 100 events of one key: one bucket, one lane, ten full batches; every other lane comes back empty
        String key = "hot-" + UUID.randomUUID();
        List<IngestRequest> hot = IntStream.range(0, 100)
                .mapToObj(i -> new IngestRequest("shared-events", key, "{\"n\":" + i + "}", null, null)).toList();
        store.accept(hot);
        announceAsAnotherInstance();

        await().atMost(Duration.ofSeconds(20)).until(() -> rows("outbox") == 0);
        List<String> sent = TestKafka.readAll("shared-events", Integer.MAX_VALUE, Duration.ofSeconds(5)).stream()
                .filter(record -> key.equals(record.key()))
                .map(record -> new String(record.value(), StandardCharsets.UTF_8)).toList();
        assertThat(sent).as("each row sent once, in commit order")
                .containsExactlyElementsOf(hot.stream().map(IngestRequest::payload).toList());
    }

    @Test
    void publishesAnEventCommittedByAnotherInstanceOnceItIsAnnounced() {
        // committed as another producer instance would, which owns no bucket and announces its commits
        store.accept(List.of(new IngestRequest("shared-events", "k", "\"m\"", null, null)));
        announceAsAnotherInstance();

        await().atMost(Duration.ofSeconds(10)).until(() -> rows("outbox") == 0);
    }

    /** What another producer instance, owning no bucket, does after its commit. */
    private void announceAsAnotherInstance() {
        var otherLeases = new BucketLeases(dataSource, "producer-2-instance", buckets.count(), Duration.ofSeconds(2));
        try (var other = new OutboxWakeups(dataSource, otherLeases, null, null, Duration.ofSeconds(1))) {
            other.notifyPeers();
        }
    }
}
