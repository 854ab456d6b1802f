package dev.outbox.consumer;

import java.util.UUID;

import javax.sql.DataSource;

import org.apache.camel.test.spring.junit5.CamelSpringBootTest;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.outbox.infra.testing.Http;
import dev.outbox.infra.testing.TestDatabase;
import dev.outbox.infra.testing.TestKafka;

/**
 * A consumer of group-a on a random port over the shared real PostgreSQL and Kafka. Each test class reads its
 * own topic (so that classes do not see each other's records) and closes its context afterwards.
 */
@CamelSpringBootTest
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"logging.level.root=WARN", "logging.level.dev.outbox=INFO", "outbox.consumer.max-attempts=2"})
@DirtiesContext
public abstract class ConsumerTestBase {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
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
    void connect() {
        http = new Http(port);
        jdbc = new JdbcTemplate(dataSource);
    }

    protected static void publish(String topic, UUID eventId, String key, String json) {
        TestRecords.publish(topic, eventId, key, json);
    }

    protected static void send(org.apache.kafka.clients.producer.ProducerRecord<String, byte[]> record) {
        TestRecords.send(record);
    }

    protected int processed(String group, UUID eventId) {
        Integer count = jdbc.queryForObject(
                "select count(*) from processed_events where consumer_group = ? and event_id = ?", Integer.class,
                group, eventId);
        return count == null ? 0 : count;
    }
}
