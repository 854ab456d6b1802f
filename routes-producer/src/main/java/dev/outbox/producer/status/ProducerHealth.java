package dev.outbox.producer.status;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outbox.producer.config.OutboxProperties;

/** The seed's health answer: UP when PostgreSQL answers within the configured bound, else DOWN (503). */
@Component
public class ProducerHealth {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JdbcTemplate jdbc;
    private final OutboxProperties properties;

    public ProducerHealth(JdbcTemplate jdbc, OutboxProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    public record Report(boolean up, String json) {
    }

    public Report check() {
        boolean database = databaseUp();
        ObjectNode body = MAPPER.createObjectNode()
                .put("status", database ? "UP" : "DOWN")
                .put("serviceId", properties.serviceId())
                .put("instanceId", properties.instanceId())
                .put("database", database ? "UP" : "DOWN");
        return new Report(database, body.toString());
    }

    private boolean databaseUp() {
        try {
            Integer one = jdbc.queryForObject("select 1", Integer.class);
            return one != null && one == 1;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
