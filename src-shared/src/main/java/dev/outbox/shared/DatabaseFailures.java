package dev.outbox.shared;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells a database outage (no connection, server shutting down, out of resources) from an error in the
 * request or the code: the first answers 503 with Retry-After and is retried, the second is not.
 */
public final class DatabaseFailures {

    private DatabaseFailures() {
    }

    public static boolean isOutage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && isOutageState(sql.getSQLState())) {
                return true;
            }
            // The JDBC commit or rollback itself failed: the connection is gone (PostgreSQL stopping, as the fault
            // suite showed: "rollback failed: Connection is closed", the original error only logged). Nothing was
            // committed, or, for a failed commit, the outcome is unknown; either way the answer is "retry later",
            // which an Idempotency-Key makes safe.
            if (t instanceof TransactionSystemException) {
                return true;
            }
            // Spring's names for "no connection" (CannotGetJdbcConnectionException is a resource failure too)
            if (t instanceof DataAccessResourceFailureException || t instanceof CannotCreateTransactionException) {
                return true;
            }
        }
        return false;
    }

    /** SQLSTATE classes 08 (connection), 53 (insufficient resources), 57 (operator intervention, shutdown). */
    static boolean isOutageState(String state) {
        return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57"));
    }
}
