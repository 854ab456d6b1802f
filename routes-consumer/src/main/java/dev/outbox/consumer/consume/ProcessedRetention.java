package dev.outbox.consumer.consume;

import java.time.Duration;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.outbox.shared.SqlFiles;

/** Purges this group's processed rows older than the retention, in bounded batches. */
public class ProcessedRetention {

    private static final String PURGE = SqlFiles.load("sql/purge-processed.sql");

    private final JdbcTemplate jdbc;
    private final String group;
    private final Duration retention;
    private final int batchSize;

    public ProcessedRetention(JdbcTemplate jdbc, String group, Duration retention, int batchSize) {
        this.jdbc = jdbc;
        this.group = group;
        this.retention = retention;
        this.batchSize = batchSize;
    }

    public long purge() {
        long total = 0;
        for (int i = 0; i < 100; i++) {
            int deleted = jdbc.update(PURGE, group, group, retention.toSeconds(), batchSize);
            total += deleted;
            if (deleted < batchSize) {
                break;
            }
        }
        return total;
    }
}
