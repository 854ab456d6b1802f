package dev.outbox.producer.status;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outbox.shared.SqlFiles;
import dev.outbox.shared.Timestamps;

/** Reads one event and where it stands: pending in the outbox, published, or dead-lettered. */
@Repository
public class EventStatusRepository {

    private static final String SELECT_EVENT = SqlFiles.load("sql/select-event.sql");
    private static final String PROCESSED_BY = SqlFiles.load("sql/select-processed-by.sql");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JdbcTemplate jdbc;

    public EventStatusRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** The event as DESIGN.md's {@code GET /api/messages/{eventId}} shape, or empty when unknown. */
    public Optional<String> find(UUID eventId) {
        List<ObjectNode> found = jdbc.query(SELECT_EVENT, (rs, n) -> render(rs), eventId);
        if (found.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode body = found.get(0);
        var processedBy = body.putArray("processedBy");
        jdbc.query(PROCESSED_BY, rs -> {
            processedBy.addObject().put("group", rs.getString("consumer_group"))
                    .put("processedAt", Timestamps.format(rs.getTimestamp("processed_at").toInstant()));
        }, eventId);
        return Optional.of(body.toString());
    }

    private static ObjectNode render(ResultSet rs) throws SQLException {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("eventId", rs.getString("event_id"));
        body.put("topic", rs.getString("topic"));
        body.put("key", rs.getString("event_key"));
        body.putRawValue("message", new com.fasterxml.jackson.databind.util.RawValue(rs.getString("payload")));
        String headers = rs.getString("headers");
        if (headers == null) {
            body.putObject("headers");
        } else {
            body.putRawValue("headers", new com.fasterxml.jackson.databind.util.RawValue(headers));
        }
        Timestamp publishedAt = rs.getTimestamp("published_at");
        String deadReason = rs.getString("dead_reason");
        body.put("status", deadReason != null ? "DEAD_LETTERED" : publishedAt != null ? "PUBLISHED" : "PENDING");
        body.put("acceptedAt", Timestamps.format(rs.getTimestamp("accepted_at").toInstant()));
        body.put("publishedAt", publishedAt == null ? null : Timestamps.format(publishedAt.toInstant()));
        Object partition = rs.getObject("kafka_partition");
        Object offset = rs.getObject("kafka_offset");
        if (partition == null) {
            body.putNull("partition");
        } else {
            body.put("partition", ((Number) partition).intValue());
        }
        if (offset == null) {
            body.putNull("offset");
        } else {
            body.put("offset", ((Number) offset).longValue());
        }
        if (deadReason == null) {
            body.putNull("deadLetter");
        } else {
            body.putObject("deadLetter").put("reason", deadReason).put("attempts", rs.getInt("dead_attempts"));
        }
        return body;
    }
}
