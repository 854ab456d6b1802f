package dev.outbox.shared;

import javax.sql.DataSource;

import java.sql.Connection;
import java.sql.SQLException;

/** Whether PostgreSQL answers, within the pool's bounded connection wait. */
public final class DatabaseHealth {

    private DatabaseHealth() {
    }

    public static boolean isUp(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }
}
