package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

/** Where claims may start: only below rows that are gone for good (BucketFloors' reasoning, case by case). */
class BucketFloorsTest {

    private static final List<Integer> LANE = List.of(1, 5);

    private final BucketFloors floors = new BucketFloors(Duration.ofHours(1));

    @Test
    void risesOnlyOnceEveryTransactionRunningAtTheClaimHasEnded() {
        floors.startRound(); // the first round sweeps
        floors.learn(LANE, claim(100, 107, Set.of(), row(40, 1), row(41, 5)), Set.of());
        floors.startRound();
        assertThat(floors.floorOf(LANE)).as("a transaction running at the claim may still commit a lower id").isZero();

        floors.learn(LANE, claim(106, 110, Set.of(), row(42, 1)), Set.of());
        assertThat(floors.floorOf(LANE)).as("xmin 106 < xmax 107: one of them may still be running").isZero();

        floors.learn(LANE, claim(110, 112, Set.of(), row(39, 1), row(45, 5)), Set.of());
        assertThat(floors.floorOf(LANE)).as("all running at the second claim ended: the lower of both claims' ends")
                .isEqualTo(43);

        floors.learn(LANE, claim(112, 115, Set.of(), row(50, 5)), Set.of());
        assertThat(floors.floorOf(LANE)).isEqualTo(46);
        assertThat(floors.floorOf(List.of(1, 5, 9))).as("a bucket never claimed keeps the lane at 0").isZero();
    }

    @Test
    void learnsNothingForABucketThatWasBlockedOrFailed() {
        floors.startRound();
        floors.learn(LANE, claim(100, 101, Set.of(5), row(40, 1)), Set.of(1));
        floors.learn(LANE, claim(101, 102, Set.of(5), row(41, 1)), Set.of(1));
        floors.startRound();

        assertThat(floors.floorOf(List.of(1))).as("failed").isZero();
        assertThat(floors.floorOf(List.of(5))).as("blocked").isZero();
    }

    @Test
    void aSweepStartsFromZeroAndARowFoundBelowAFloorResetsIt() {
        var sweeping = new BucketFloors(Duration.ZERO);
        sweeping.startRound();
        sweeping.learn(LANE, claim(100, 101, Set.of(), row(40, 1)), Set.of());
        sweeping.learn(LANE, claim(101, 102, Set.of(), row(50, 1)), Set.of());
        sweeping.startRound();
        assertThat(sweeping.floorOf(LANE)).as("every round sweeps with a zero period").isZero();

        floors.startRound();
        floors.learn(LANE, claim(100, 101, Set.of(), row(40, 1)), Set.of());
        floors.learn(LANE, claim(101, 102, Set.of(), row(50, 1)), Set.of());
        floors.startRound();
        assertThat(floors.floorOf(LANE)).isEqualTo(41);

        floors.learn(LANE, claim(102, 103, Set.of(), row(7, 5)), Set.of()); // an identity restarted by hand
        assertThat(floors.floorOf(List.of(5))).isZero();
        assertThat(floors.floorOf(List.of(1))).isEqualTo(41);
    }

    private static OutboxRepository.Claim claim(long xmin, long xmax, Set<Integer> blocked, OutboxRow... rows) {
        return new OutboxRepository.Claim(List.of(rows), xmin, xmax, blocked);
    }

    private static OutboxRow row(long id, int bucket) {
        return new OutboxRow(id, UUID.randomUUID(), bucket, "shared-events", "k", "\"m\"", null, null, Instant.EPOCH,
                "test", 0);
    }
}
