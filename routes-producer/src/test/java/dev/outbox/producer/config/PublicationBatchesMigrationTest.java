package dev.outbox.producer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.outbox.infra.testing.TestDatabase;
import dev.outbox.producer.publish.OutboxRepository;

/**
 * Upgrading a database in use to V6 (publication batches): an event published before keeps its status, an event
 * pending at the upgrade gets its outbox id and is found in its batch once the new publisher completes it.
 */
class PublicationBatchesMigrationTest {

    @Test
    void keepsEveryStatusAcrossTheUpgrade() {
        var server = TestDatabase.server();
        String database = "upgrade_v6_" + System.nanoTime();
        server.createDatabase(database, "outbox_user", "outbox_password");
        var dataSource = new DriverManagerDataSource(server.jdbcUrl(database), "outbox_user", "outbox_password");
        var jdbc = new JdbcTemplate(dataSource);
        migrate(dataSource, "5");
        UUID published = UUID.randomUUID();
        UUID pending = UUID.randomUUID();
        for (UUID event : List.of(published, pending)) {
            jdbc.update("insert into events (event_id, topic, event_key, payload, accepted_at, accepted_by) "
                    + "values (?, 'shared-events', 'k', '1', now(), 'old-producer')", event);
        }
        jdbc.update("insert into event_publications (event_id, published_at, kafka_partition, kafka_offset) "
                + "values (?, '2026-11-27T01:02:03Z', 2, 17)", published);
        jdbc.update("insert into outbox (event_id, bucket, topic, event_key, payload, accepted_at, accepted_by) "
                + "values (?, 5, 'shared-events', 'k', '1', now(), 'old-producer')", pending);

        migrate(dataSource, "6");

        assertThat(jdbc.queryForObject("select outbox_id from events where event_id = ?", Long.class, pending))
                .isEqualTo(jdbc.queryForObject("select id from outbox where event_id = ?", Long.class, pending));
        assertThat(jdbc.queryForMap("select kafka_partition, kafka_offset from published_events where event_id = ?",
                published)).containsEntry("kafka_partition", 2).containsEntry("kafka_offset", 17L);
        assertThat(published(jdbc, pending)).as("pending").isZero();

        jdbc.update("insert into bucket_leases (bucket, owner, lease_until, fence) values (5, 'new', 'infinity', 1)");
        var repository = new OutboxRepository(dataSource);
        var row = repository.claim(List.of(5), 0, 10, Long.MAX_VALUE).rows().get(0);
        repository.complete(List.of(new OutboxRepository.Published(row, Instant.now(), 4, 99)), Map.of(5, 1L), "new");

        assertThat(jdbc.queryForMap("select kafka_partition, kafka_offset from published_events where event_id = ?",
                pending)).containsEntry("kafka_partition", 4).containsEntry("kafka_offset", 99L);
        assertThat(published(jdbc, published)).as("the earlier publication, still read").isOne();
    }

    private static void migrate(DriverManagerDataSource dataSource, String target) {
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").target(target).load().migrate();
    }

    private static int published(JdbcTemplate jdbc, UUID event) {
        return jdbc.queryForObject("select count(*) from published_events where event_id = ?", Integer.class, event);
    }
}
