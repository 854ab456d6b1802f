package dev.outbox.producer.publish;

import java.util.concurrent.atomic.AtomicLong;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.outbox.shared.SqlFiles;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The outbox backlog as every producer sees it (a global figure read from the database: dashboards take max),
 * refreshed by a timer route. Also the source of the optional ingest backpressure cap.
 *
 * <p>Exact up to {@link #COUNTED_EXACTLY} rows; above, PostgreSQL's live-row statistic for the outbox, which
 * follows inserts and deletes about a second late, or the planner's estimate when that statistic is evidently lost
 * ({@code backlog.sql} says why nothing counts the whole table). The age is that of the head row (lowest id).
 */
public class BacklogMonitor {

    static final int COUNTED_EXACTLY = 10_000;
    private static final String BACKLOG = SqlFiles.load("sql/backlog.sql");

    private final JdbcTemplate jdbc;
    private final int countedExactly;
    private final AtomicLong pending = new AtomicLong();
    private final AtomicLong oldestAgeMillis = new AtomicLong();

    public BacklogMonitor(DataSource dataSource, MeterRegistry registry) {
        this(dataSource, registry, COUNTED_EXACTLY);
    }

    BacklogMonitor(DataSource dataSource, MeterRegistry registry, int countedExactly) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.countedExactly = countedExactly;
        Gauge.builder("outbox.pending.events", pending, AtomicLong::get)
                .description("Rows waiting in the outbox").register(registry);
        Gauge.builder("outbox.oldest.pending.age.seconds", oldestAgeMillis, a -> a.get() / 1000.0)
                .description("Age of the row at the head of the outbox (lowest id)").register(registry);
    }

    public void refresh() {
        jdbc.query(BACKLOG, rs -> {
            pending.set(pending(countedExactly, rs.getLong("counted"), rs.getLong("estimated"), rs.getLong("planned")));
            double age = rs.getDouble("oldest_age_seconds");
            oldestAgeMillis.set(rs.wasNull() ? 0 : Math.round(age * 1000));
        }, countedExactly);
    }

    /** The backlog from the bounded count, the live-row statistic and the planner's estimate. */
    static long pending(int countedExactly, long counted, long estimated, long planned) {
        if (counted < countedExactly) {
            return counted;
        }
        // under half the rows just counted, the statistic was lost (reset by a crash); just under, it is late
        return estimated >= counted / 2 ? Math.max(counted, estimated) : Math.max(counted, planned);
    }

    public long pending() {
        return pending.get();
    }
}
