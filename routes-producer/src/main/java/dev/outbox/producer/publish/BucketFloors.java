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
 * minute; see README, Performance). One instance's publisher, one drain at a time (the publish route's single
 * consumer), lanes on disjoint buckets.
 *
 * <p>Why a floor is safe. Outbox ids come from an identity sequence that hands them out in time order (cache 1,
 * checked: floors stay at 0 otherwise), drawn by the inserting transaction once it has a transaction id
 * ({@code insert-events.sql} makes sure of it; {@code replay-dead-letter.sql} deletes before it inserts). Say a claim
 * with snapshot S returned bucket b's rows in id order up to id L (every row of b visible to S between the floor and
 * L), and the completion that published and deleted them all ran as transaction X. What is left of b below L + 1
 * can only be rows of transactions still running at S: their ids were drawn before L was, so their transaction ids
 * were assigned before S, hence below X (assigned after S). Once a later claim's snapshot has xmin above X, every
 * transaction below X has ended and their committed rows are visible to it; started from the old floor, that claim
 * returns them first. When it too has completed b up to its last id L', floor(b) becomes min(L + 1, L' + 1). (The
 * snapshot's own xmax would not do: it is one past the last completed transaction, and a running one may be above
 * it.) A bucket that was blocked (waiting for a retry) or had a failure in the batch learns nothing from it.
 *
 * A candidate waits until a claim passes it, and only then gives way to a newer one: replaced at every batch, it
 * would seldom be passed while ingest keeps transactions running.
 *
 * <p>Rows put into the outbox by hand must take a transaction id first ({@code select pg_current_xact_id()}) or go
 * through the replay API. Checks: every {@code checkEvery}, the head (lowest id) of each owned bucket is compared
 * with its floor; a head below (an identity restarted by hand, or a flaw in the reasoning above) resets that floor
 * and is logged. Floors live in memory and are forgotten on any database error (a restore or a failover to a
 * standby that is behind starts with one). A wrong floor would delay a row until the next check and let later rows
 * of its key overtake it: the order promise rests on the reasoning above, which {@code ClaimFloorTest} exercises
 * with the checks switched off.
 */
final class BucketFloors {

    private static final Logger LOG = LoggerFactory.getLogger(BucketFloors.class);

    /** Bucket b was complete below {@code floor} once every transaction below {@code transactionId} has ended. */
    private record Candidate(long floor, long transactionId) {
    }

    private final Map<Integer, Long> floors = new ConcurrentHashMap<>();
    private final Map<Integer, Candidate> candidates = new ConcurrentHashMap<>();
    private final long checkEveryNanos;
    private long nextCheck;
    private volatile boolean enabled = true;

    BucketFloors(Duration checkEvery) {
        this.checkEveryNanos = checkEvery.toNanos();
        this.nextCheck = System.nanoTime();
    }

    /** Whether the heads are due for a check (then {@link #check} gets them). */
    synchronized boolean checkDue() {
        long now = System.nanoTime();
        if (now - nextCheck < 0) {
            return false;
        }
        nextCheck = now + checkEveryNanos;
        return true;
    }

    /** Compares each bucket's head with its floor; with an identity that draws ids ahead, floors stay off. */
    synchronized void check(Map<Integer, Long> heads, long identityCache) {
        if (identityCache != 1 && enabled) {
            LOG.warn("The outbox identity caches {} ids per session: ids are not drawn in time order, claims start "
                    + "from 0", identityCache);
            enabled = false;
            forget();
        }
        heads.forEach((bucket, head) -> {
            long floor = floors.getOrDefault(bucket, 0L);
            if (head < floor) {
                LOG.warn("Outbox row below its bucket's floor, floor reset bucket={} id={} floor={}", bucket, head,
                        floor);
                floors.remove(bucket);
                candidates.remove(bucket);
            }
        });
    }

    /** The id a claim over these buckets may start from. */
    long floorOf(Collection<Integer> buckets) {
        if (!enabled) {
            return 0;
        }
        long floor = Long.MAX_VALUE;
        for (Integer bucket : buckets) {
            floor = Math.min(floor, floors.getOrDefault(bucket, 0L));
        }
        return floor == Long.MAX_VALUE ? 0 : floor;
    }

    /**
     * What a claim over {@code buckets} taught, once its batch was completed by transaction {@code completion}:
     * every row it returned published and deleted, or in {@code failedBuckets}. Not called when the completion
     * was fenced out.
     */
    synchronized void learn(Collection<Integer> buckets, OutboxRepository.Claim claim, Set<Integer> failedBuckets,
                            long completion) {
        if (claim.rows().isEmpty() || completion <= 0 || !enabled) {
            return; // nothing read, or nothing completed: no transaction after the snapshot to wait for
        }
        Set<Integer> skipped = new HashSet<>(failedBuckets);
        skipped.addAll(claim.blocked());
        long next = claim.rows().get(claim.rows().size() - 1).id() + 1;
        for (Integer bucket : buckets) {
            if (skipped.contains(bucket)) {
                continue;
            }
            Candidate earlier = candidates.get(bucket);
            if (earlier == null) {
                candidates.put(bucket, new Candidate(next, completion));
            } else if (claim.snapshotXmin() > earlier.transactionId()) {
                floors.merge(bucket, Math.min(earlier.floor(), next), Math::max);
                candidates.put(bucket, new Candidate(next, completion));
            }
        }
    }

    /** Drops every floor: claims start from 0 until they have been learned again. */
    synchronized void forget() {
        floors.clear();
        candidates.clear();
    }
}
