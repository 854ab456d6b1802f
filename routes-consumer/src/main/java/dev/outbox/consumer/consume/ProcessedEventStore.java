package dev.outbox.consumer.consume;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import dev.outbox.shared.SqlFiles;

/**
 * Writes the once-per-group rows. The unique (group, event id) decides which records are new: a record
 * delivered twice (publisher re-send, redelivery after a rebalance or a crash) inserts nothing the second time.
 */
@Repository
public class ProcessedEventStore {

    private static final String INSERT = SqlFiles.load("sql/insert-processed.sql");

    private final JdbcTemplate jdbc;

    public ProcessedEventStore(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** Inserts the rows that are new for the group (in the caller's transaction); returns their event ids. */
    public Set<UUID> insertNew(String group, String instanceId, List<ConsumedEvent> events) {
        return jdbc.execute((ConnectionCallback<Set<UUID>>) c -> insert(c, group, instanceId, events));
    }

    private static Set<UUID> insert(Connection c, String group, String instanceId, List<ConsumedEvent> events)
            throws SQLException {
        int n = events.size();
        UUID[] ids = new UUID[n];
        String[] keys = new String[n];
        String[] topics = new String[n];
        Integer[] partitions = new Integer[n];
        Long[] offsets = new Long[n];
        Timestamp[] accepted = new Timestamp[n];
        String[] traces = new String[n];
        for (int i = 0; i < n; i++) {
            ConsumedEvent e = events.get(i);
            ids[i] = e.eventId();
            keys[i] = e.key();
            topics[i] = e.topic();
            partitions[i] = e.partition();
            offsets[i] = e.offset();
            accepted[i] = e.acceptedAt() == null ? null : Timestamp.from(e.acceptedAt());
            traces[i] = e.traceparent();
        }
        try (PreparedStatement s = c.prepareStatement(INSERT)) {
            s.setString(1, group);
            s.setString(2, instanceId);
            s.setArray(3, array(c, "uuid", ids));
            s.setArray(4, array(c, "text", keys));
            s.setArray(5, array(c, "text", topics));
            s.setArray(6, array(c, "integer", partitions));
            s.setArray(7, array(c, "bigint", offsets));
            s.setArray(8, array(c, "timestamptz", accepted));
            s.setArray(9, array(c, "text", traces));
            Set<UUID> inserted = new HashSet<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    inserted.add(rs.getObject(1, UUID.class));
                }
            }
            return inserted;
        }
    }

    private static Array array(Connection c, String type, Object[] values) throws SQLException {
        return c.createArrayOf(type, values);
    }
}
