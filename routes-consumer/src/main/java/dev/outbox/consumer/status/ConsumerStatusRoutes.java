package dev.outbox.consumer.status;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestParamType;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outbox.consumer.config.ConsumerProperties;
import dev.outbox.consumer.consume.ConsumerMetrics;
import dev.outbox.consumer.consume.DeadLetterRedrive;
import dev.outbox.shared.DatabaseHealth;
import dev.outbox.shared.Problem;
import dev.outbox.shared.RequestParameters;
import dev.outbox.shared.camel.HttpAnswers;
import dev.outbox.shared.SqlFiles;
import dev.outbox.shared.Timestamps;

/**
 * The seed's {@code GET /api/consumer/health}, and what this instance's group has persisted:
 * {@code /api/consumer/events/{eventId}}, {@code /api/consumer/events?key=K} (in persistence order, paged) and
 * {@code /api/consumer/stats}.
 */
@Component
public class ConsumerStatusRoutes extends RouteBuilder {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ONE = SqlFiles.load("sql/select-processed.sql");
    private static final String BY_KEY = SqlFiles.load("sql/select-processed-by-key.sql");
    private static final String LAST = SqlFiles.load("sql/select-last-processed.sql");

    private final JdbcTemplate jdbc;
    private final Admin admin;
    private final ConsumerProperties properties;
    private final ConsumerMetrics metrics;
    private final DeadLetterRedrive redrive;

    public ConsumerStatusRoutes(JdbcTemplate jdbc, Admin consumerAdmin, ConsumerProperties properties,
                                ConsumerMetrics metrics, DeadLetterRedrive redrive) {
        this.redrive = redrive;
        this.jdbc = jdbc;
        this.admin = consumerAdmin;
        this.properties = properties;
        this.metrics = metrics;
    }

    @Override
    public void configure() {
        rest("/api/consumer").description("What this consumer group has persisted, and the service's health")
                .get("/health").id("consumer-health").produces("application/json").to("direct:consumer-health")
                .get("/stats").id("consumer-stats").produces("application/json").to("direct:consumer-stats")
                .get("/events").id("consumer-events-by-key").produces("application/json")
                    .param().name("key").type(RestParamType.query).required(true).endParam()
                    .param().name("limit").type(RestParamType.query).required(false).dataType("integer").endParam()
                    .param().name("after").type(RestParamType.query).required(false).endParam()
                    .to("direct:consumer-events-by-key")
                .get("/events/{eventId}").id("consumer-event").produces("application/json").to("direct:consumer-event")
                .post("/dead-letters/redrive").id("consumer-redrive").produces("application/json")
                    .description("Re-drive this group's dead letters once their cause is fixed")
                    .param().name("limit").type(RestParamType.query).required(false).dataType("integer").endParam()
                    .to("direct:consumer-redrive");

        from("direct:consumer-health").routeConfigurationId("problem-handling").process(this::health);
        from("direct:consumer-stats").routeConfigurationId("problem-handling").process(this::stats);
        from("direct:consumer-events-by-key").routeConfigurationId("problem-handling").process(this::byKey);
        from("direct:consumer-event").routeConfigurationId("problem-handling").process(this::event);
        from("direct:consumer-redrive").routeConfigurationId("problem-handling").process(this::redrive);
    }

    private void health(Exchange exchange) {
        boolean database = DatabaseHealth.isUp(jdbc.getDataSource());
        ArrayNode assigned = MAPPER.createArrayNode();
        boolean broker = brokerUp(assigned);
        boolean up = database && broker;
        ObjectNode body = MAPPER.createObjectNode()
                .put("status", up ? "UP" : "DOWN")
                .put("serviceId", properties.serviceId())
                .put("instanceId", properties.instanceId())
                .put("group", properties.consumer().group())
                .put("database", database ? "UP" : "DOWN")
                .put("broker", broker ? "UP" : "DOWN");
        body.set("topics", MAPPER.valueToTree(properties.consumer().topics()));
        body.set("assignedPartitions", assigned);
        HttpAnswers.json(exchange.getMessage(), up ? 200 : 503, body.toString());
    }


    /** The broker answers, and which partitions the group gave this instance (its Kafka client id). */
    private boolean brokerUp(ArrayNode assigned) {
        try {
            var groups = admin.describeConsumerGroups(List.of(properties.consumer().group()))
                    .all().get(3, TimeUnit.SECONDS);
            groups.values().forEach(group -> group.members().stream()
                    .filter(member -> member.clientId().equals(properties.instanceId()))
                    .forEach(member -> member.assignment().topicPartitions().stream()
                            .sorted(java.util.Comparator.comparing(Object::toString))
                            .forEach(tp -> assigned.add(tp.topic() + "-" + tp.partition()))));
            return true;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    private void stats(Exchange exchange) {
        String group = properties.consumer().group();
        var last = jdbc.queryForObject(LAST, java.sql.Timestamp.class, group);
        ObjectNode body = MAPPER.createObjectNode()
                .put("group", group)
                .put("instanceId", properties.instanceId())
                .put("processed", (long) metrics.processedCount())
                .put("duplicatesSkipped", (long) metrics.duplicateCount())
                .put("deadLettered", (long) metrics.deadLetterCount())
                .put("lastProcessedAt", last == null ? null : Timestamps.format(last.toInstant()))
                .put("lag", metrics.totalLag());
        HttpAnswers.json(exchange.getMessage(), 200, body.toString());
    }

    private void redrive(Exchange exchange) {
        int limit = RequestParameters.boundedInt(exchange.getIn().getHeader("limit", String.class), "limit", 1000, 1, 100_000);
        int count = redrive.redrive(limit);
        HttpAnswers.json(exchange.getMessage(), 200, MAPPER.createObjectNode().put("group", properties.consumer().group())
                .put("redriven", count).toString());
    }

    private void event(Exchange exchange) {
        UUID id = RequestParameters.uuid(exchange.getIn().getHeader("eventId", String.class), "eventId");
        List<Map<String, Object>> rows = jdbc.queryForList(ONE, properties.consumer().group(), id);
        if (rows.isEmpty()) {
            throw Problem.of(404, "event-not-processed", "Event not processed by this group",
                    "group " + properties.consumer().group() + " has not processed event " + id).toException();
        }
        HttpAnswers.json(exchange.getMessage(), 200, item(rows.get(0)).toString());
    }

    private void byKey(Exchange exchange) {
        Message in = exchange.getIn();
        String key = in.getHeader("key", String.class);
        if (key == null || key.isEmpty()) {
            throw Problem.invalidField(400, "/key", "the key query parameter is required").toException();
        }
        int limit = RequestParameters.boundedInt(in.getHeader("limit", String.class), "limit", 100, 1, 1000);
        long after = cursor(in.getHeader("after", String.class));
        List<Map<String, Object>> rows = jdbc.queryForList(BY_KEY, properties.consumer().group(), key, after, limit + 1);
        ObjectNode body = MAPPER.createObjectNode().put("group", properties.consumer().group()).put("key", key);
        ArrayNode events = body.putArray("events");
        rows.stream().limit(limit).forEach(row -> events.add(item(row)));
        if (rows.size() > limit) {
            body.put("next", rows.get(limit - 1).get("seq").toString());
        } else {
            body.putNull("next");
        }
        HttpAnswers.json(exchange.getMessage(), 200, body.toString());
    }

    private ObjectNode item(Map<String, Object> row) {
        ObjectNode item = MAPPER.createObjectNode()
                .put("eventId", row.get("event_id").toString())
                .put("group", (String) row.get("consumer_group"))
                .put("key", (String) row.get("event_key"))
                .put("partition", ((Number) row.get("kafka_partition")).intValue())
                .put("offset", ((Number) row.get("kafka_offset")).longValue());
        var accepted = (java.sql.Timestamp) row.get("accepted_at");
        item.put("acceptedAt", accepted == null ? null : Timestamps.format(accepted.toInstant()));
        item.put("processedAt", Timestamps.format(((java.sql.Timestamp) row.get("processed_at")).toInstant()));
        return item;
    }

    /** The cursor is the persistence sequence of the last event of the previous page. */
    private static long cursor(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        try {
            long value = Long.parseLong(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Problem.invalidField(400, "/after", "must be a cursor returned as next").toException();
    }

}
