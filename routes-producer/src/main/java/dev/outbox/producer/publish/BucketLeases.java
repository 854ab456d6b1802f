package dev.outbox.producer.publish;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.outbox.shared.SqlFiles;

/**
 * Which key-hash buckets this instance publishes. Ownership is a lease row per bucket with an expiry renewed
 * by {@link #heartbeat()}; each instance aims at its fair share, ceil(buckets / live instances), so buckets
 * spread when an instance joins and are taken over when one dies (its leases expire after
 * {@code leaseTimeout}). A fence number changes with every owner, and completing a batch checks it, so an
 * instance that stalled past its lease deletes nothing it no longer owns.
 *
 * <p>Releases are only requested by the heartbeat; the publisher applies them between batches
 * ({@link #applyReleases()}), so a bucket is never given up in the middle of its own batch.
 */
public class BucketLeases {

    private static final Logger LOG = LoggerFactory.getLogger(BucketLeases.class);

    private static final String INIT = SqlFiles.load("sql/init-leases.sql");
    private static final String HEARTBEAT = SqlFiles.load("sql/heartbeat-instance.sql");
    private static final String LIVE = SqlFiles.load("sql/count-live-instances.sql");
    private static final String FORGET = SqlFiles.load("sql/forget-dead-instances.sql");
    private static final String RENEW = SqlFiles.load("sql/renew-leases.sql");
    private static final String ACQUIRE = SqlFiles.load("sql/acquire-leases.sql");
    private static final String RELEASE = SqlFiles.load("sql/release-leases.sql");
    private static final String RELEASE_ALL = SqlFiles.load("sql/release-all-leases.sql");
    private static final String REMOVE = SqlFiles.load("sql/remove-instance.sql");

    private final JdbcTemplate jdbc;
    private final String instanceId;
    private final int bucketCount;
    private final double leaseSeconds;
    private final Map<Integer, Long> owned = new ConcurrentHashMap<>();
    private final Set<Integer> toRelease = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    public BucketLeases(DataSource dataSource, String instanceId, int bucketCount, Duration leaseTimeout) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.instanceId = instanceId;
        this.bucketCount = bucketCount;
        this.leaseSeconds = leaseTimeout.toMillis() / 1000.0;
        jdbc.update(INIT, bucketCount);
    }

    public String instanceId() {
        return instanceId;
    }

    /** The buckets owned now, with the fence each was acquired under. */
    public Map<Integer, Long> owned() {
        return Map.copyOf(owned);
    }

    public int ownedCount() {
        return owned.size();
    }

    public int bucketCount() {
        return bucketCount;
    }

    /**
     * Renews this instance's leases, then moves towards the fair share: acquires free or expired buckets when
     * under it, asks for releases when over it. Leases that could not be renewed (expired, taken) are dropped.
     *
     * @return whether buckets were acquired (their rows wait to be published now)
     */
    public synchronized boolean heartbeat() {
        if (closed) {
            return false;
        }
        jdbc.update(HEARTBEAT, instanceId, leaseSeconds);
        Map<Integer, Long> renewed = new HashMap<>();
        jdbc.query(RENEW, rs -> {
            renewed.put(rs.getInt("bucket"), rs.getLong("fence"));
        }, leaseSeconds, instanceId);
        Set<Integer> lost = new TreeSet<>(owned.keySet());
        lost.removeAll(renewed.keySet());
        if (!lost.isEmpty()) {
            lost.forEach(owned::remove);
            LOG.warn("Leases lost count={} buckets={} instance={}", lost.size(), lost, instanceId);
        }
        owned.putAll(renewed);
        Integer live = jdbc.queryForObject(LIVE, Integer.class);
        int fairShare = (int) Math.ceil(bucketCount / (double) Math.max(1, live == null ? 1 : live));
        int missing = fairShare - owned.size();
        boolean acquiredAny = false;
        if (missing > 0) {
            List<Integer> acquired = jdbc.query(ACQUIRE, (rs, n) -> {
                owned.put(rs.getInt("bucket"), rs.getLong("fence"));
                return rs.getInt("bucket");
            }, instanceId, leaseSeconds, missing);
            acquiredAny = !acquired.isEmpty();
            if (acquiredAny) {
                LOG.info("Buckets acquired count={} owned={} fairShare={} instance={}", acquired.size(), owned.size(),
                        fairShare, instanceId);
            }
        } else if (missing < 0) {
            new TreeSet<>(owned.keySet()).descendingSet().stream().limit(-missing).forEach(toRelease::add);
        }
        jdbc.update(FORGET);
        return acquiredAny;
    }

    /** Gives up the buckets the heartbeat asked to release; called by the publisher between batches. */
    public void applyReleases() {
        if (toRelease.isEmpty()) {
            return;
        }
        Integer[] buckets = toRelease.toArray(Integer[]::new);
        toRelease.clear();
        for (Integer bucket : buckets) {
            owned.remove(bucket);
        }
        jdbc.update(RELEASE, instanceId, buckets);
        LOG.info("Buckets released count={} owned={} instance={}", buckets.length, owned.size(), instanceId);
    }

    /** Graceful shutdown: every lease goes at once, so the others take over without waiting for expiry. */
    public synchronized void releaseAll() {
        closed = true;
        owned.clear();
        toRelease.clear();
        try {
            jdbc.update(RELEASE_ALL, instanceId);
            jdbc.update(REMOVE, instanceId);
            LOG.info("All buckets released instance={}", instanceId);
        } catch (RuntimeException e) {
            LOG.warn("Could not release buckets instance={} (they expire by themselves): {}", instanceId, e.toString());
        }
    }
}
