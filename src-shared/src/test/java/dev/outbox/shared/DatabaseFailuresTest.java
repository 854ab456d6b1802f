package dev.outbox.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.TransactionSystemException;

class DatabaseFailuresTest {

    @Test
    void aServerShuttingDownOrAConnectionLostIsAnOutage() {
        assertThat(DatabaseFailures.isOutage(new RuntimeException(new SQLException("terminating", "57P01")))).isTrue();
        assertThat(DatabaseFailures.isOutage(new SQLException("I/O error", "08006"))).isTrue();
    }

    /** As when PostgreSQL stops mid-transaction: the rollback fails on the dead connection and hides the cause. */
    @Test
    void aRollbackThatFailedIsAnOutage() {
        TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
                new SQLException("Connection is closed"));
        rollback.initApplicationException(new SQLException("terminating connection", "57P01"));
        assertThat(DatabaseFailures.isOutage(rollback)).isTrue();
    }

    /** As when a commit fails on a dropped connection: the rollback fails too, and only its error is thrown. */
    @Test
    void aRollbackThatFailedAfterAFailedCommitIsAnOutage() {
        assertThat(DatabaseFailures.isOutage(new TransactionSystemException("JDBC rollback failed",
                new SQLException("Connection is closed")))).isTrue();
    }

    @Test
    void aBadStatementIsNot() {
        assertThat(DatabaseFailures.isOutage(new SQLException("syntax error", "42601"))).isFalse();
        assertThat(DatabaseFailures.isOutage(new IllegalStateException("bug"))).isFalse();
    }
}
