package dev.outbox.producer.publish;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a claim may start: below {@code floor(b)}, bucket b holds no row and will not, so a claim starts past the
 * entries of rows deleted and not yet vacuumed, which it would otherwise walk (autovacuum comes at most once a
 * minute; see README, Performance).
 *
 * <p>Why a floor is safe. Outbox ids come from an identity sequence (cache 1), drawn by the inserting transaction
 * once it has a transaction id ({@code insert-events.sql} makes sure of it; {@code replay-dead-letter.sql} deletes
 * before it inserts). Say a claim with snapshot S returned bucket b's rows in id order up to id L (every row of b
 * visible to S between the floor and L) and every one of them was published and deleted. What is left of b below
 * L + 1 can only be rows of transactions still running at S: their ids were drawn before L was, so their
 * transaction ids are below S's xmax. Once a later claim's snapshot has xmin at least that xmax, they have all
 * ended, and their committed rows are visible to it; started from the old floor, that claim returns them first.
 * When it too has completed b up to its last id L', floor(b) becomes min(L + 1, L' + 1). A bucket that was blocked
 * (waiting for a retry) or had a failure in a batch learns nothing from it.
 *
 * <p>Belt and braces: every {@code sweepEvery} a round of claims starts from 0 whatever the floors say; a row
 * found below its bucket's floor (an identity restarted by hand, or a flaw in the reasoning above) resets that
 * bucket's floor and is logged. A mistake here can delay a row by one sweep; it cannot lose it.
 */
final class BucketFloors {

    private static final Logger LOG = LoggerFactory.getLogger(BucketFloors.class);

    /** Bucket b was complete below {@code floor} at a snapshot whose transactions all had ids below {@code xmax}. */
    private record Candidate(long floor, long xmax) {
    }

    private final Map<Integer, Long> floors = new ConcurrentHashMap<>();
    private final Map<Integer, Candidate> candidates = new ConcurrentHashMap<>();
    private final long sweepEveryNanos;
    private long nextSweep;
    private volatile boolean sweeping = true;

    BucketFloors(Duration sweepEvery) {
        this.sweepEveryNanos = sweepEvery.toNanos();
        this.nextSweep = System.nanoTime();
    }

    /** Called before each round of claims: whether this round starts from 0 (a sweep). */
    synchronized void startRound() {
        long now = System.nanoTime();
        sweeping = now - nextSweep >= 0;
        if (sweeping) {
            nextSweep = now + sweepEveryNanos;
        }
    }

    /** The id a claim over these buckets may start from. */
    long floorOf(Collection<Integer> buckets) {
        if (sweeping) {
            return 0;
        }
        long floor = Long.MAX_VALUE;
        for (Integer bucket : buckets) {
            floor = Math.min(floor, floors.getOrDefault(bucket, 0L));
        }
        return floor == Long.MAX_VALUE ? 0 : floor;
    }

    /**
     * What a claim over {@code buckets} taught, once its batch is done: every row it returned either published and
     * deleted, or in {@code failedBuckets}. Not called when the completion was fenced out.
     */
    void learn(Collection<Integer> buckets, OutboxRepository.Claim claim, Set<Integer> failedBuckets) {
        if (claim.rows().isEmpty()) {
            return;
        }
        Set<Integer> skipped = new HashSet<>(failedBuckets);
        skipped.addAll(claim.blocked());
        for (OutboxRow row : claim.rows()) {
            if (row.id() < floors.getOrDefault(row.bucket(), 0L)) {
                LOG.warn("Outbox row below its bucket's floor (identity restarted?), floor reset bucket={} id={} "
                        + "floor={}", row.bucket(), row.id(), floors.get(row.bucket()));
                floors.remove(row.bucket());
                candidates.remove(row.bucket());
                skipped.add(row.bucket());
            }
        }
        long next = claim.rows().get(claim.rows().size() - 1).id() + 1;
        for (Integer bucket : buckets) {
            if (skipped.contains(bucket)) {
                continue;
            }
            Candidate earlier = candidates.get(bucket);
            if (earlier != null && claim.snapshotXmin() >= earlier.xmax()) {
                floors.merge(bucket, Math.min(earlier.floor(), next), Math::max);
            }
            candidates.put(bucket, new Candidate(next, claim.snapshotXmax()));
        }
    }
}
