package dev.outbox.producer.publish;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;

import dev.outbox.shared.SqlFiles;
import dev.outbox.shared.Timestamps;

/** The publisher's SQL: claim the head of owned buckets, complete (fenced), retry, dead-letter, replay. */
public class OutboxRepository {

    static final String CLAIM = SqlFiles.load("sql/claim-batch.sql");
    private static final String COMPLETE = SqlFiles.load("sql/complete-batch.sql");
    private static final String HEADS = SqlFiles.load("sql/bucket-heads.sql");
    private static final String RETRY = SqlFiles.load("sql/schedule-retry.sql");
    private static final String DEAD_LETTER = SqlFiles.load("sql/dead-letter.sql");
    private static final String REPLAY = SqlFiles.load("sql/replay-dead-letter.sql");
    /** The size up to which claim-batch.sql counts a row as small (outbox_large_idx, V7). */
    private static final long SMALL_ROW_BYTES = 2048;

    private final JdbcTemplate jdbc;

    public OutboxRepository(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /**
     * Claimed rows, with the snapshot they were read in and the buckets left out as blocked (BucketFloors); full
     * when the claim stopped at its row count or byte budget, so that more rows may be waiting.
     */
    public record Claim(List<OutboxRow> rows, long snapshotXmin, Set<Integer> blocked, boolean full) {
    }

    /**
     * Up to {@code limit} of the oldest rows in the given buckets from id {@code floor} on, in id (commit) order,
     * leaving out the buckets whose head row waits for a retry, and ending with the row that brings the claimed
     * payloads and headers to {@code maxBytes} (the first row comes whatever its size).
     */
    public Claim claim(Collection<Integer> buckets, long floor, int limit, long maxBytes) {
        return jdbc.query(CLAIM, rs -> {
            List<OutboxRow> rows = new ArrayList<>(limit);
            long xmin = 0;
            Set<Integer> blocked = Set.of();
            Columns columns = null;
            long claimedBytes = 0;
            while (rs.next()) {
                if (rows.isEmpty()) {
                    columns = Columns.of(rs);
                    xmin = rs.getLong("snapshot_xmin");
                    // one entry per waiting row: a bucket may come more than once
                    blocked = Set.copyOf(Arrays.asList((Integer[]) rs.getArray("blocked").getArray()));
                }
                rows.add(columns.row(rs));
                claimedBytes = rs.getLong(columns.claimedBytes()); // null, read as 0, when sizes were not summed
            }
            return new Claim(rows, xmin, blocked, rows.size() == limit || claimedBytes >= maxBytes);
        }, claimParameters(buckets, floor, limit, maxBytes));
    }

    /** {@link #CLAIM}'s parameters, in order (ClaimPlanTest explains the statement with them). */
    static Object[] claimParameters(Collection<Integer> buckets, long floor, int limit, long maxBytes) {
        int[] lane = ints(buckets);
        // rows of 2 KB or less need no summing of sizes when the row count of them fits the budget (claim-batch.sql)
        boolean smallRowsFit = limit * SMALL_ROW_BYTES <= maxBytes;
        return new Object[] {smallRowsFit, lane, floor, // is there a row over 2 KB in range
                lane, floor, limit, // the claim's rows
                maxBytes}; // the budget, when their sizes are summed
    }

    /** A row that Kafka acknowledged, with where it landed. */
    public record Published(OutboxRow row, Instant publishedAt, int partition, long offset) {
    }

    /** Events marked published by a completion, and its transaction id (BucketFloors). */
    public record Completion(int completed, long transactionId) {
    }

    /**
     * Deletes the acknowledged rows and records partition, offset and publish time on their events, for the
     * buckets still owned under the given fences only.
     *
     * <p>One autocommitted statement ({@code complete-batch.sql} says why: no lease lock outlives it, and its
     * commit does not wait for the WAL flush). The lists go as primitive arrays, which the driver sends in binary.
     * Any order is recorded correctly; in id order, as claimed, the statement keeps the lists as sent.
     */
    public Completion complete(List<Published> published, Map<Integer, Long> fences, String owner) {
        if (published.isEmpty()) {
            return new Completion(0, 0);
        }
        int n = published.size();
        long[] ids = new long[n];
        long[] publishedMicros = new long[n];
        int[] partitions = new int[n];
        long[] offsets = new long[n];
        for (int i = 0; i < n; i++) {
            Published p = published.get(i);
            ids[i] = p.row().id();
            publishedMicros[i] = Timestamps.epochMicros(p.publishedAt());
            partitions[i] = p.partition();
            offsets[i] = p.offset();
        }
        long[] fenceValues = fences.values().stream().mapToLong(Long::longValue).toArray();
        return jdbc.queryForObject(COMPLETE, (rs, row) -> new Completion(rs.getInt("completed"),
                rs.getLong("transaction_id")), ids, publishedMicros, partitions, offsets, ints(fences.keySet()),
                fenceValues, owner);
    }

    /** The lowest id of each of these buckets that has rows (BucketFloors' check). */
    public Map<Integer, Long> heads(Collection<Integer> buckets) {
        Map<Integer, Long> heads = new HashMap<>();
        jdbc.query(HEADS, rs -> {
            heads.put(rs.getInt("bucket"), rs.getLong("id"));
        }, ints(buckets));
        return heads;
    }

    /** How many outbox ids a session draws ahead (the identity sequence's cache). */
    public long identityCache() {
        return jdbc.queryForObject("select seqcache from pg_sequence "
                + "where seqrelid = pg_get_serial_sequence('outbox', 'id')::regclass", Long.class);
    }

    public void scheduleRetry(OutboxRow row, Duration delay, String error) {
        jdbc.update(RETRY, delay.toMillis() / 1000.0, truncate(error), row.id());
    }

    public void deadLetter(OutboxRow row, String reason) {
        jdbc.update(DEAD_LETTER, row.id(), truncate(reason));
    }

    /** Moves a dead-lettered event back into the outbox; false when there is no such dead letter. */
    public boolean replay(UUID eventId) {
        return !jdbc.queryForList(REPLAY, UUID.class, eventId).isEmpty();
    }

    private static String truncate(String text) {
        if (text == null) {
            return "unknown";
        }
        return text.length() > 1000 ? text.substring(0, 1000) : text;
    }

    private static int[] ints(Collection<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * A claimed row's columns, looked up by name once per claim: by name for every row, the driver's lookups were
     * 7 % of a drain's publisher samples (JFR).
     */
    private record Columns(int id, int eventId, int bucket, int topic, int key, int payload, int headers,
                           int traceparent, int acceptedAt, int acceptedBy, int attempts, int claimedBytes) {

        static Columns of(ResultSet rs) throws SQLException {
            return new Columns(rs.findColumn("id"), rs.findColumn("event_id"), rs.findColumn("bucket"),
                    rs.findColumn("topic"), rs.findColumn("event_key"), rs.findColumn("payload"),
                    rs.findColumn("headers"), rs.findColumn("traceparent"), rs.findColumn("accepted_at"),
                    rs.findColumn("accepted_by"), rs.findColumn("attempts"), rs.findColumn("claimed_bytes"));
        }

        OutboxRow row(ResultSet rs) throws SQLException {
            return new OutboxRow(rs.getLong(id), rs.getObject(eventId, UUID.class), rs.getInt(bucket),
                    rs.getString(topic), rs.getString(key), rs.getString(payload), rs.getString(headers),
                    rs.getString(traceparent), rs.getObject(acceptedAt, OffsetDateTime.class).toInstant(),
                    rs.getString(acceptedBy), rs.getInt(attempts));
        }
    }

}
