package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** Where claims may start: only below rows that are gone for good (BucketFloors' reasoning, case by case). */
class BucketFloorsTest {

    private static final List<Integer> LANE = List.of(1, 5);

    private final BucketFloors floors = new BucketFloors(Duration.ofHours(1));

    @Test
    void risesOnlyOnceEveryTransactionBelowTheCompletionHasEnded() {
        floors.learn(LANE, claim(100, Set.of(), row(40, 1), row(41, 5)), Set.of(), 110);
        assertThat(floors.floorOf(LANE)).as("a transaction running at the claim may still commit a lower id").isZero();

        floors.learn(LANE, claim(110, Set.of(), row(42, 1)), Set.of(), 113);
        assertThat(floors.floorOf(LANE)).as("xmin 110 is not past the first claim's "
                + "completion (110): a transaction running at that claim may still be running").isZero();

        floors.learn(LANE, claim(114, Set.of(), row(43, 1), row(45, 5)), Set.of(), 117);
        assertThat(floors.floorOf(LANE)).as("every transaction below 110 ended: the first claim's end, kept until "
                + "passed, and this claim's (46), the lower").isEqualTo(42);

        floors.learn(LANE, claim(118, Set.of(), row(50, 5)), Set.of(), 121);
        assertThat(floors.floorOf(LANE)).isEqualTo(46);
        assertThat(floors.floorOf(List.of(1, 5, 9))).as("a bucket never claimed keeps the lane at 0").isZero();
    }

    @Test
    void learnsNothingForABucketThatWasBlockedOrFailedOrFromABatchNothingCompleted() {
        floors.learn(LANE, claim(100, Set.of(5), row(40, 1)), Set.of(1), 102);
        floors.learn(LANE, claim(103, Set.of(5), row(41, 1)), Set.of(1), 105);
        assertThat(floors.floorOf(List.of(1))).as("failed").isZero();
        assertThat(floors.floorOf(List.of(5))).as("blocked").isZero();

        var nothingCompleted = new BucketFloors(Duration.ofHours(1));
        nothingCompleted.learn(LANE, claim(100, Set.of(), row(40, 1)), Set.of(), 0);
        nothingCompleted.learn(LANE, claim(103, Set.of(), row(41, 1)), Set.of(), 0);
        assertThat(nothingCompleted.floorOf(LANE)).isZero();
    }

    @Test
    void aHeadBelowItsFloorResetsItAndForgettingDropsAll() {
        floors.learn(LANE, claim(100, Set.of(), row(40, 1)), Set.of(), 102);
        floors.learn(LANE, claim(103, Set.of(), row(50, 1)), Set.of(), 105);
        assertThat(floors.floorOf(LANE)).isEqualTo(41);

        floors.check(Map.of(1, 60L, 5, 7L), 1); // bucket 5 holds id 7: an identity restarted by hand
        assertThat(floors.floorOf(List.of(5))).isZero();
        assertThat(floors.floorOf(List.of(1))).isEqualTo(41);

        floors.forget(); // as on any database error
        assertThat(floors.floorOf(List.of(1))).isZero();
    }

    @Test
    void staysOffWhenTheIdentityDrawsIdsAheadAndChecksOnlyWhenDue() {
        assertThat(floors.checkDue()).as("at once").isTrue();
        assertThat(floors.checkDue()).as("then after an hour").isFalse();

        floors.check(Map.of(), 20);
        floors.learn(LANE, claim(100, Set.of(), row(40, 1)), Set.of(), 102);
        floors.learn(LANE, claim(103, Set.of(), row(50, 1)), Set.of(), 105);
        assertThat(floors.floorOf(LANE)).isZero();
    }

    private static OutboxRepository.Claim claim(long xmin, Set<Integer> blocked, OutboxRow... rows) {
        return new OutboxRepository.Claim(List.of(rows), xmin, blocked, false);
    }

    private static OutboxRow row(long id, int bucket) {
        return new OutboxRow(id, UUID.randomUUID(), bucket, "shared-events", "k", "\"m\"", null, null, Instant.EPOCH,
                "test", 0);
    }
}
