package dev.outbox.producer.support;

import dev.outbox.infra.testing.Http;
import dev.outbox.infra.testing.TestDatabase;
import dev.outbox.infra.testing.TestKafka;

import javax.sql.DataSource;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A producer on a random port over the shared real PostgreSQL and Kafka, with empty tables before each test.
 * Its publisher is off (ingest tests look at the outbox as written); publisher tests switch it on.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"outbox.publisher.enabled=false", "logging.level.root=WARN", "logging.level.dev.outbox=INFO"})
public abstract class ProducerTestBase {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        TestDatabase.register(registry);
        TestKafka.register(registry);
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected DataSource dataSource;

    protected Http http;
    protected JdbcTemplate jdbc;

    @BeforeEach
    void cleanTables() {
        TestDatabase.truncate(dataSource, "events", "event_publications", "publication_batches", "outbox",
                "idempotency_keys", "dead_letters", "publisher_instances", "processed_events");
        new JdbcTemplate(dataSource).execute(
                "update bucket_leases set owner = null, lease_until = '-infinity', fence = fence + 1");
        http = new Http(port);
        jdbc = new JdbcTemplate(dataSource);
    }

    protected int rows(String table) {
        Integer count = jdbc.queryForObject("select count(*) from " + table, Integer.class);
        return count == null ? 0 : count;
    }
}
