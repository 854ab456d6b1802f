package dev.outbox.producer.ingest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;

import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.support.TransactionTemplate;

import dev.outbox.producer.publish.KeyBuckets;
import dev.outbox.shared.Problem;
import dev.outbox.shared.SqlFiles;
import dev.outbox.shared.UuidV7;

/**
 * Commits accepted events together with their outbox rows (DESIGN.md promise 1: a 2xx means both are
 * committed, an error means neither is). One SQL statement writes both tables for any number of events.
 */
@Repository
public class EventStore {

    private static final String INSERT_EVENTS = SqlFiles.load("sql/insert-events.sql");
    private static final String CLAIM_KEY = SqlFiles.load("sql/claim-idempotency-key.sql");
    private static final String SELECT_KEY = SqlFiles.load("sql/select-idempotency-key.sql");
    private static final String STORE_RESPONSE = SqlFiles.load("sql/store-idempotent-response.sql");

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final KeyBuckets buckets;
    private final String instanceId;

    public EventStore(JdbcTemplate jdbc, TransactionTemplate transactions, KeyBuckets buckets,
                      dev.outbox.producer.config.OutboxProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.buckets = buckets;
        this.instanceId = properties.instanceId();
    }

    /** Commits the events (all or none) and returns them in request order. */
    public List<AcceptedEvent> accept(List<IngestRequest> requests) {
        return jdbc.execute((ConnectionCallback<List<AcceptedEvent>>) c -> insert(c, requests, null));
    }

    /**
     * The same under an {@code Idempotency-Key}: the first request with a key commits its events and its
     * answer; a later one with the same key and the same body gets that answer back and writes nothing; with
     * another body it is a 422. Concurrent twins serialise on the key's row.
     *
     * @param render turns the accepted events into the answer body that later twins get back verbatim
     */
    public IdempotentResult acceptOnce(String idempotencyKey, byte[] requestFingerprint, List<IngestRequest> requests,
                                       Function<List<AcceptedEvent>, String> render) {
        byte[] hash = sha256(requestFingerprint);
        return transactions.execute(status -> {
            int claimed = jdbc.update(CLAIM_KEY, idempotencyKey, hash);
            if (claimed == 0) {
                return jdbc.queryForObject(SELECT_KEY, (rs, n) -> replay(rs, hash), idempotencyKey);
            }
            List<AcceptedEvent> accepted = jdbc.execute(
                    (ConnectionCallback<List<AcceptedEvent>>) c -> insert(c, requests, idempotencyKey));
            String response = render.apply(accepted);
            jdbc.update(STORE_RESPONSE, response, idempotencyKey);
            return new IdempotentResult(response, false);
        });
    }

    /** The answer to a request: the body, and whether it is a replay of an earlier answer. */
    public record IdempotentResult(String body, boolean replayed) {
    }

    private static IdempotentResult replay(ResultSet rs, byte[] hash) throws SQLException {
        if (!Arrays.equals(rs.getBytes("request_hash"), hash)) {
            throw Problem.of(422, "idempotency-key-reused", "Idempotency-Key reused",
                    "this Idempotency-Key was already used with a different request body").toException();
        }
        return new IdempotentResult(rs.getString("response"), true);
    }

    private List<AcceptedEvent> insert(Connection connection, List<IngestRequest> requests, String idempotencyKey)
            throws SQLException {
        int n = requests.size();
        UUID[] ids = new UUID[n];
        Integer[] bucketOf = new Integer[n];
        String[] topics = new String[n];
        String[] keys = new String[n];
        String[] payloads = new String[n];
        String[] headers = new String[n];
        String[] traceparents = new String[n];
        for (int i = 0; i < n; i++) {
            IngestRequest request = requests.get(i);
            ids[i] = UuidV7.next();
            keys[i] = request.key() != null ? request.key() : ids[i].toString();
            bucketOf[i] = buckets.bucketOf(keys[i]);
            topics[i] = request.topic();
            payloads[i] = request.payload();
            headers[i] = request.headers();
            traceparents[i] = request.traceparent();
        }
        try (PreparedStatement statement = connection.prepareStatement(INSERT_EVENTS)) {
            int p = 1;
            statement.setArray(p++, array(connection, "uuid", ids));
            statement.setArray(p++, array(connection, "integer", bucketOf));
            statement.setArray(p++, array(connection, "text", topics));
            statement.setArray(p++, array(connection, "text", keys));
            statement.setArray(p++, array(connection, "text", payloads));
            statement.setArray(p++, array(connection, "text", headers));
            statement.setArray(p++, array(connection, "text", traceparents));
            statement.setString(p++, instanceId);
            statement.setString(p++, instanceId);
            statement.setString(p, idempotencyKey);
            try (ResultSet rs = statement.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("the events insert returned no row");
                }
                Timestamp acceptedAt = rs.getTimestamp(1);
                List<AcceptedEvent> accepted = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    accepted.add(new AcceptedEvent(ids[i], topics[i], keys[i], acceptedAt.toInstant()));
                }
                return accepted;
            }
        }
    }

    private static Array array(Connection connection, String type, Object[] values) throws SQLException {
        return connection.createArrayOf(type, values);
    }

    private static byte[] sha256(byte[] input) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(input);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
