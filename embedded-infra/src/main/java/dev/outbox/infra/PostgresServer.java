package dev.outbox.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * A real PostgreSQL 17 server from zonky's embedded binaries, on a fixed port and data directory so that it
 * can be stopped and started again (fault tests) and keep its data (local run).
 *
 * <p>{@code durable} turns {@code fsync}, {@code synchronous_commit} and {@code full_page_writes} on: the
 * embedded defaults are off, which is fine for functional tests and wrong for any figure or the local run.
 */
public final class PostgresServer implements AutoCloseable {

    public static final String USER = "postgres";

    private final Path dataDirectory;
    private final int port;
    private final boolean durable;
    private final int maxConnections;
    private EmbeddedPostgres postgres;

    private PostgresServer(Path dataDirectory, int port, boolean durable, int maxConnections) {
        this.dataDirectory = dataDirectory;
        this.port = port;
        this.durable = durable;
        this.maxConnections = maxConnections;
    }

    /** Starts a server; a fresh one when {@code dataDirectory} is empty, else the one stored there. */
    public static PostgresServer start(Path dataDirectory, int port, boolean durable) {
        PostgresServer server = new PostgresServer(dataDirectory, port, durable, 200);
        server.start();
        return server;
    }

    /** A throw-away server on a free port in a temporary directory, for tests. */
    public static PostgresServer startTemporary() {
        try {
            return start(Files.createTempDirectory("outbox-pg"), FreePorts.find(), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public synchronized void start() {
        if (postgres != null) {
            return;
        }
        try {
            Files.createDirectories(dataDirectory);
            String onOff = durable ? "on" : "off";
            postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .setServerConfig("fsync", onOff)
                    .setServerConfig("synchronous_commit", onOff)
                    .setServerConfig("full_page_writes", onOff)
                    .setServerConfig("max_connections", Integer.toString(maxConnections))
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("PostgreSQL did not start on port " + port, e);
        }
    }

    /** Stops the server (fast shutdown: open sessions are cut, as when the database goes away). */
    public synchronized void stop() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            postgres = null;
        }
    }

    public synchronized boolean isRunning() {
        return postgres != null;
    }

    public int port() {
        return port;
    }

    public boolean durable() {
        return durable;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Creates a database owned by a new login role, unless it exists (the seed's outbox_db / outbox_user). */
    public void createDatabase(String database, String user, String password) {
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
             Statement statement = connection.createStatement()) {
            var roles = statement.executeQuery("select 1 from pg_roles where rolname = '" + user + "'");
            if (!roles.next()) {
                statement.execute("create role \"" + user + "\" login password '" + password.replace("'", "''") + "'");
            }
            var databases = statement.executeQuery("select 1 from pg_database where datname = '" + database + "'");
            if (!databases.next()) {
                statement.execute("create database \"" + database + "\" owner \"" + user + "\"");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + database, e);
        }
    }

    @Override
    public void close() {
        stop();
    }
}
