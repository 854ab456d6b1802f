package dev.outbox.producer.status;

import javax.sql.DataSource;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outbox.producer.config.OutboxProperties;
import dev.outbox.shared.DatabaseHealth;

/** The seed's health answer: UP when PostgreSQL answers within the configured bound, else DOWN (503). */
@Component
public class ProducerHealth {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final DataSource dataSource;
    private final OutboxProperties properties;

    public ProducerHealth(DataSource dataSource, OutboxProperties properties) {
        this.dataSource = dataSource;
        this.properties = properties;
    }

    public record Report(boolean up, String json) {
    }

    public Report check() {
        boolean database = DatabaseHealth.isUp(dataSource);
        ObjectNode body = MAPPER.createObjectNode()
                .put("status", database ? "UP" : "DOWN")
                .put("serviceId", properties.serviceId())
                .put("instanceId", properties.instanceId())
                .put("database", database ? "UP" : "DOWN");
        return new Report(database, body.toString());
    }

}
