package dev.outbox.producer.status;

import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestParamType;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outbox.producer.publish.OutboxRepository;
import dev.outbox.producer.publish.OutboxWakeups;
import dev.outbox.shared.Problem;
import dev.outbox.shared.RequestParameters;
import dev.outbox.shared.camel.HttpAnswers;
import dev.outbox.shared.SqlFiles;
import dev.outbox.shared.Timestamps;

/**
 * {@code GET /api/outbox/dead-letters} lists events Kafka refused permanently;
 * {@code POST /api/outbox/dead-letters/{eventId}/replay} puts one back in the outbox once the cause is fixed.
 */
@Component
public class DeadLetterRoutes extends RouteBuilder {

    private static final String LIST = SqlFiles.load("sql/list-dead-letters.sql");
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final JdbcTemplate jdbc;
    private final OutboxRepository outbox;
    private final OutboxWakeups wakeups;

    public DeadLetterRoutes(JdbcTemplate jdbc, OutboxRepository outbox, OutboxWakeups wakeups) {
        this.jdbc = jdbc;
        this.outbox = outbox;
        this.wakeups = wakeups;
    }

    @Override
    public void configure() {
        rest("/api/outbox/dead-letters").description("Dead-lettered events")
                .get().id("dead-letters-list").description("Dead letters, oldest first").produces("application/json")
                    .param().name("limit").type(RestParamType.query).required(false).dataType("integer").endParam()
                    .to("direct:dead-letters-list")
                .post("/{eventId}/replay").id("dead-letters-replay").description("Put a dead letter back in the outbox")
                    .produces("application/json")
                    .to("direct:dead-letters-replay");

        from("direct:dead-letters-list").routeConfigurationId("problem-handling").process(this::list);
        from("direct:dead-letters-replay").routeConfigurationId("problem-handling")
                .process(this::replay)
                .bean(wakeups, "committed");
    }

    private void list(Exchange exchange) {
        int limit = RequestParameters.boundedInt(exchange.getIn().getHeader("limit", String.class), "limit", 100, 1, 1000);
        ObjectNode body = MAPPER.createObjectNode();
        ArrayNode items = body.putArray("deadLetters");
        List<Map<String, Object>> rows = jdbc.queryForList(LIST, limit);
        for (Map<String, Object> row : rows) {
            items.addObject()
                    .put("eventId", row.get("event_id").toString())
                    .put("topic", (String) row.get("topic"))
                    .put("key", (String) row.get("event_key"))
                    .put("attempts", ((Number) row.get("attempts")).intValue())
                    .put("reason", (String) row.get("reason"))
                    .put("acceptedAt", Timestamps.format(((java.sql.Timestamp) row.get("accepted_at")).toInstant()))
                    .put("deadLetteredAt",
                            Timestamps.format(((java.sql.Timestamp) row.get("dead_lettered_at")).toInstant()));
        }
        HttpAnswers.json(exchange.getMessage(), 200, body.toString());
    }

    private void replay(Exchange exchange) {
        var id = RequestParameters.uuid(exchange.getIn().getHeader("eventId", String.class), "eventId");
        if (!outbox.replay(id)) {
            throw Problem.of(404, "dead-letter-not-found", "Dead letter not found", "no dead letter with id " + id)
                    .toException();
        }
        HttpAnswers.json(exchange.getMessage(), 202, MAPPER.createObjectNode().put("eventId", id.toString())
                .put("status", "PENDING").toString());
    }

}
