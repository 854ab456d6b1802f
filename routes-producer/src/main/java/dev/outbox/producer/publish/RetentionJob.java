package dev.outbox.producer.publish;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.outbox.shared.SqlFiles;

/**
 * Purges history in bounded batches, never with one unbounded DELETE: published events older than the event
 * retention (with their idempotency keys and publication batches), and dead letters older than theirs. Pending
 * events are never purged.
 */
public class RetentionJob {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);
    private static final String EVENTS = SqlFiles.load("sql/purge-events.sql");
    private static final String PUBLICATIONS = SqlFiles.load("sql/purge-publication-batches.sql");
    private static final String EVENTS_LEFT = SqlFiles.load("sql/published-events-before.sql");
    private static final String KEYS = SqlFiles.load("sql/purge-idempotency-keys.sql");
    private static final String DEAD = SqlFiles.load("sql/purge-dead-letters.sql");

    private final JdbcTemplate jdbc;
    private final Duration eventRetention;
    private final Duration deadLetterRetention;
    private final int batchSize;
    private final int maxBatchesPerRun;

    public RetentionJob(DataSource dataSource, Duration eventRetention, Duration deadLetterRetention, int batchSize,
                        int maxBatchesPerRun) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.eventRetention = eventRetention;
        this.deadLetterRetention = deadLetterRetention;
        this.batchSize = batchSize;
        this.maxBatchesPerRun = maxBatchesPerRun;
    }

    /**
     * One run: each kind in batches until a batch comes back short (publication batches: empty) or the per-run bound
     * is reached. Events and their publication batches share one cutoff, and the batches go only once no published
     * event before it is left (checked, not inferred from this run's deletes: every producer runs this job, and
     * another may still be deleting): a batch is never purged while one of its events can still be looked up.
     */
    public long purge() {
        Instant now = Instant.now();
        Timestamp cutoff = Timestamp.from(now.minus(eventRetention));
        long events = purge(EVENTS, cutoff);
        long publications = 0;
        if (!jdbc.queryForObject(EVENTS_LEFT, Boolean.class, cutoff)) {
            for (int i = 0; i < maxBatchesPerRun; i++) {
                long deleted = jdbc.queryForObject(PUBLICATIONS, Long.class, cutoff, batchSize, batchSize);
                publications += deleted;
                if (deleted == 0) {
                    break; // a statement takes whole batches up to its bound, so a short one does not mean the end
                }
            }
        }
        long keys = purge(KEYS, cutoff);
        long dead = purge(DEAD, Timestamp.from(now.minus(deadLetterRetention)));
        if (events + keys + publications + dead > 0) {
            LOG.info("Retention purged events={} idempotencyKeys={} publications={} deadLetters={}", events, keys,
                    publications, dead);
        }
        return events + keys + publications + dead;
    }

    /** Batches of one statement (its parameters: a cutoff and the batch size) until one comes back short. */
    private long purge(String sql, Timestamp cutoff) {
        long total = 0;
        for (int i = 0; i < maxBatchesPerRun; i++) {
            int deleted = jdbc.update(sql, cutoff, batchSize);
            total += deleted;
            if (deleted < batchSize) {
                break;
            }
        }
        return total;
    }
}
