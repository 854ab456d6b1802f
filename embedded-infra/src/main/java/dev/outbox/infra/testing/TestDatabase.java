package dev.outbox.infra.testing;

import java.util.Map;

import javax.sql.DataSource;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;

import dev.outbox.infra.PostgresServer;

/** One real PostgreSQL per test JVM, shared by the Spring contexts of this module's tests. */
public final class TestDatabase {

    private static PostgresServer server;

    private TestDatabase() {
    }

    public static synchronized PostgresServer server() {
        if (server == null) {
            server = PostgresServer.startTemporary();
            server.createDatabase("outbox_db", "outbox_user", "outbox_password");
            TemporaryDirectories.stopAndRemoveAtExit("embedded-postgres-stop", server::stop, server.dataDirectory());
        }
        return server;
    }

    public static void register(DynamicPropertyRegistry registry) {
        properties().forEach((name, value) -> registry.add(name, () -> value));
    }

    /** The properties that point a service at the test database, for an application started by hand. */
    public static Map<String, String> properties() {
        return Map.of("spring.datasource.url", server().jdbcUrl("outbox_db"),
                "spring.datasource.username", "outbox_user", "spring.datasource.password", "outbox_password");
    }

    /** Empties the given tables, between tests. */
    public static void truncate(DataSource dataSource, String... tables) {
        new JdbcTemplate(dataSource).execute("truncate " + String.join(", ", tables));
    }
}
