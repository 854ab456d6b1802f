package dev.outbox.producer.publish;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.locks.LockSupport;

import javax.sql.DataSource;

import org.apache.camel.ProducerTemplate;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.outbox.shared.SqlFiles;

/**
 * Wakes publishers when outbox rows are committed, so that an event goes out within milliseconds while an idle
 * publisher polls only slowly (the poll period is the fallback for what no commit announces: retries falling
 * due, a missed notification).
 *
 * <ul>
 *   <li>{@link #LOCAL}: a commit on this instance wakes this instance's publish route in-process.</li>
 *   <li>{@link #PEERS}: the commit is announced to the other instances, whose buckets may hold the new rows,
 *       with PostgreSQL {@code NOTIFY} ({@link #notifyPeers()}); each publisher {@code LISTEN}s on a connection
 *       of its own ({@link #awaitPeerCommit()}) and wakes its route.</li>
 * </ul>
 *
 * <p>Both are one-slot seda queues that drop a wake-up when one already waits: wake-ups arriving during a drain
 * coalesce into one more drain, and a burst of commits costs one NOTIFY per 5 ms at most. NOTIFY takes a
 * database-wide lock at commit, so it runs in a transaction of its own, never in the ingest transactions, and
 * without waiting for its WAL flush (a lost notification only delays a row to the next poll).
 */
public class OutboxWakeups implements AutoCloseable {

    public static final String LOCAL = "seda:outbox-wake?size=1&discardWhenFull=true&waitForTaskToComplete=Never";
    public static final String PEERS = "seda:outbox-notify?size=1&discardWhenFull=true&waitForTaskToComplete=Never";

    private static final Logger LOG = LoggerFactory.getLogger(OutboxWakeups.class);
    private static final String CHANNEL = "outbox_pending";
    private static final String NOTIFY = SqlFiles.load("sql/notify-peers.sql");

    private static final long MIN_NOTIFY_INTERVAL_NANOS = Duration.ofMillis(5).toNanos();
    /** Empty waits between checks that the LISTEN connection still answers (a cut network only times out). */
    private static final int WAITS_BETWEEN_CHECKS = 30;

    private final JdbcTemplate jdbc;
    private final BucketLeases leases;
    private final ProducerTemplate template;
    private final ListenConnection listenConnection;
    private final Duration wait;
    private volatile Connection listening;
    private long lastConnectFailure;
    private int emptyWaits;
    private long lastNotify = System.nanoTime() - MIN_NOTIFY_INTERVAL_NANOS;

    /** How the listener opens its own connection, outside any pool (it is held for as long as it works). */
    public record ListenConnection(String url, String user, String password) {
        Connection open() throws SQLException {
            Properties properties = new Properties();
            if (user != null) {
                properties.setProperty("user", user);
            }
            if (password != null) {
                properties.setProperty("password", password);
            }
            properties.setProperty("connectTimeout", "2");
            properties.setProperty("loginTimeout", "2");
            properties.setProperty("socketTimeout", "10"); // bounds LISTEN and the liveness check, not the waits
            properties.setProperty("tcpKeepAlive", "true");
            properties.setProperty("ApplicationName", "outbox-listen");
            return DriverManager.getConnection(url, properties);
        }
    }

    /**
     * @param dataSource the pool the announcements use: ingest's, whose commits they announce (the publisher's
     *                   own pool stays free for leases and batches)
     * @param wait       the longest a listen call blocks; the listen route loops, so this bounds how long a stop
     *                   or a reconnect waits
     */
    public OutboxWakeups(DataSource dataSource, BucketLeases leases, ProducerTemplate template,
                         ListenConnection listenConnection, Duration wait) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.leases = leases;
        this.template = template;
        this.listenConnection = listenConnection;
        this.wait = wait;
    }

    /**
     * Ingest calls this after its commit: wakes this instance's publisher and has the commit announced to the
     * others. Never fails the caller, whose events are committed: a lost wake-up only delays them to the next poll.
     */
    public void committed() {
        try {
            template.sendBody(LOCAL, null);
            if (!ownsEveryBucket()) {
                template.sendBody(PEERS, null);
            }
        } catch (RuntimeException e) {
            LOG.debug("Wake-up not sent (the poll will find the rows): {}", e.toString());
        }
    }

    /**
     * Announces committed rows to the other instances. Skipped while this instance owns every bucket: then no
     * other publisher can hold them (an instance that joins takes buckets only once this one releases some).
     */
    public void notifyPeers() {
        if (ownsEveryBucket()) {
            return;
        }
        // at most one announcement per interval: each is a transaction of its own, and back to back under a heavy
        // ingest they would cost a core; commits arriving meanwhile wait in the one-slot queue for the next one
        long sinceLast = System.nanoTime() - lastNotify;
        if (sinceLast < MIN_NOTIFY_INTERVAL_NANOS) {
            LockSupport.parkNanos(MIN_NOTIFY_INTERVAL_NANOS - sinceLast);
        }
        lastNotify = System.nanoTime();
        jdbc.query(NOTIFY, rs -> { }, CHANNEL, leases.instanceId());
    }

    private boolean ownsEveryBucket() {
        return leases.ownedCount() == leases.bucketCount();
    }

    /**
     * Waits up to the wait period for rows committed by another instance; true when some were announced, or when
     * the listener has just (re)connected and may have missed announcements. Only the listen route calls this.
     */
    public boolean awaitPeerCommit() throws SQLException, InterruptedException {
        boolean connected = false;
        if (listening == null) {
            listening = connect();
            connected = true;
        }
        try {
            PGNotification[] notifications = listening.unwrap(PGConnection.class)
                    .getNotifications((int) wait.toMillis());
            if (notifications == null || notifications.length == 0) {
                if (++emptyWaits % WAITS_BETWEEN_CHECKS == 0 && !listening.isValid(2)) {
                    throw new SQLException("the LISTEN connection stopped answering");
                }
                return connected;
            }
            for (PGNotification notification : notifications) {
                if (!leases.instanceId().equals(notification.getParameter())) {
                    return true;
                }
            }
            return connected;
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    private Connection connect() throws SQLException, InterruptedException {
        long sinceFailure = System.currentTimeMillis() - lastConnectFailure;
        if (sinceFailure < wait.toMillis()) {
            Thread.sleep(wait.toMillis() - sinceFailure); // back off between reconnects while the database is down
        }
        try {
            Connection connection = listenConnection.open();
            try (Statement statement = connection.createStatement()) {
                statement.execute("LISTEN " + CHANNEL);
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
            LOG.info("Listening for commits of other instances channel={} instance={}", CHANNEL, leases.instanceId());
            return connection;
        } catch (SQLException e) {
            lastConnectFailure = System.currentTimeMillis();
            throw e;
        }
    }

    @Override
    public void close() {
        Connection connection = listening;
        listening = null;
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Closing the listen connection failed: {}", e.toString());
            }
        }
    }
}
