package dev.outbox.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.DriverManager;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServerTest {

    @Test
    void keepsItsDataAcrossAStopAndAStartAndRunsDurableWhenAsked(@TempDir Path dir) throws Exception {
        try (PostgresServer server = PostgresServer.start(dir, FreePorts.find(), true)) {
            server.createDatabase("outbox_db", "outbox_user", "outbox_password");
            String url = server.jdbcUrl("outbox_db");
            try (var c = DriverManager.getConnection(url, "outbox_user", "outbox_password")) {
                c.createStatement().execute("create table t (v int)");
                c.createStatement().execute("insert into t values (42)");
                var fsync = c.createStatement().executeQuery("show fsync");
                fsync.next();
                assertThat(fsync.getString(1)).isEqualTo("on");
                var commit = c.createStatement().executeQuery("show synchronous_commit");
                commit.next();
                assertThat(commit.getString(1)).isEqualTo("on");
            }
            server.stop();
            server.start();
            try (var c = DriverManager.getConnection(url, "outbox_user", "outbox_password")) {
                var rs = c.createStatement().executeQuery("select v from t");
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
    }
}
