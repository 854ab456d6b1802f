package dev.outbox.producer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.outbox.infra.testing.TestDatabase;

/** Several instances starting at once against an empty database: the schema is migrated exactly once. */
class ConcurrentMigrationTest {

    @Test
    void migratesOnceWhenThreeInstancesStartTogether() throws Exception {
        var server = TestDatabase.server();
        String database = "migration_race_" + System.nanoTime();
        server.createDatabase(database, "outbox_user", "outbox_password");
        var dataSource = new DriverManagerDataSource(server.jdbcUrl(database), "outbox_user", "outbox_password");
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<Integer>> instances = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            instances.add(() -> {
                start.await();
                return Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load()
                        .migrate().migrationsExecuted;
            });
        }
        var pool = Executors.newFixedThreadPool(3);
        var results = new ArrayList<java.util.concurrent.Future<Integer>>();
        for (Callable<Integer> instance : instances) {
            results.add(pool.submit(instance));
        }
        start.countDown();
        int executed = 0;
        for (var result : results) {
            executed += result.get();
        }
        pool.shutdown();

        var jdbc = new JdbcTemplate(dataSource);
        int available = Flyway.configure().locations("classpath:db/migration").dataSource(dataSource).load()
                .info().all().length;
        assertThat(executed).as("each migration ran once, by one instance").isEqualTo(available);
        assertThat(jdbc.queryForObject("select count(*) from flyway_schema_history where success", Integer.class))
                .isEqualTo(available);
    }
}
