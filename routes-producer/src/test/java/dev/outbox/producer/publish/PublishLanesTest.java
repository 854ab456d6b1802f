package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/** How a round's claim is split into lanes published in parallel: per-key order needs each bucket in one lane. */
class PublishLanesTest {

    @Test
    void keepsEachBucketInOneLaneInIdOrderAndBalancesTheLanes() {
        // 4,000 rows in id order: bucket 7 is hot (1,300 rows), 60 more buckets share the rest round-robin
        List<OutboxRow> rows = new ArrayList<>();
        for (int id = 1; id <= 4000; id++) {
            rows.add(row(id, id % 3 == 0 ? 7 : 8 + id % 60));
        }

        List<List<OutboxRow>> lanes = OutboxPublisher.lanesOf(rows, 4, 1000);

        assertThat(lanes).hasSize(4);
        assertThat(lanes.stream().flatMap(List::stream).sorted(Comparator.comparingLong(OutboxRow::id)))
                .as("every row in one lane").containsExactlyElementsOf(rows);
        Map<Integer, Long> lanesPerBucket = lanes.stream()
                .flatMap(lane -> lane.stream().map(OutboxRow::bucket).distinct())
                .collect(Collectors.groupingBy(bucket -> bucket, Collectors.counting()));
        assertThat(lanesPerBucket).as("a bucket in two lanes could overtake itself").allSatisfy(
                (bucket, count) -> assertThat(count).isOne());
        lanes.forEach(lane -> assertThat(lane).as("a lane sends in id order")
                .isSortedAccordingTo(Comparator.comparingLong(OutboxRow::id)));
        assertThat(lanes).as("the hot bucket's lane and three of about (4,000 - 1,333) / 3 rows")
                .allSatisfy(lane -> assertThat(lane.size()).isBetween(850, 1333));
    }

    @Test
    void aFewRowsOrFewBucketsMakeNoMoreLanesThanTheyNeed() {
        List<OutboxRow> few = List.of(row(1, 3), row(2, 4), row(3, 5));
        assertThat(OutboxPublisher.lanesOf(few, 4, 1000)).as("one statement for a few rows").containsExactly(few);

        List<OutboxRow> twoBuckets = new ArrayList<>();
        for (int id = 1; id <= 40; id++) {
            twoBuckets.add(row(id, id % 2));
        }
        assertThat(OutboxPublisher.lanesOf(twoBuckets, 4, 10)).as("no empty lane").hasSize(2)
                .allSatisfy(lane -> assertThat(lane).hasSize(20));
    }

    private static OutboxRow row(long id, int bucket) {
        return new OutboxRow(id, UUID.randomUUID(), bucket, "shared-events", "k" + bucket, "{}", null, null,
                Instant.EPOCH, "test", 0);
    }
}
