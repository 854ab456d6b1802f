package dev.outbox.producer.status;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

import dev.outbox.shared.Problem;
import dev.outbox.shared.RequestParameters;
import dev.outbox.shared.camel.HttpAnswers;

/** {@code GET /api/messages/{eventId}} and the seed's {@code GET /api/messages/health}. */
@Component
public class StatusRoutes extends RouteBuilder {

    private final EventStatusRepository events;
    private final ProducerHealth health;

    public StatusRoutes(EventStatusRepository events, ProducerHealth health) {
        this.events = events;
        this.health = health;
    }

    @Override
    public void configure() {
        rest("/api/messages").description("Event status and service health")
                .get("/health").id("status-health").description("Service health (seed contract)")
                    .produces("application/json")
                    .to("direct:status-health")
                .get("/{eventId}").id("status-event").description("One event and where it stands")
                    .produces("application/json")
                    .to("direct:status-event");

        from("direct:status-health").routeConfigurationId("problem-handling")
                .process(this::health);
        from("direct:status-event").routeConfigurationId("problem-handling")
                .process(this::event);
    }

    private void health(Exchange exchange) {
        ProducerHealth.Report report = health.check();
        HttpAnswers.json(exchange.getMessage(), report.up() ? 200 : 503, report.json());
    }

    private void event(Exchange exchange) {
        UUID id = RequestParameters.uuid(exchange.getIn().getHeader("eventId", String.class), "eventId");
        String body = events.find(id).orElseThrow(() -> Problem.of(404, "event-not-found", "Event not found",
                "no event with id " + id).toException());
        HttpAnswers.json(exchange.getMessage(), 200, body);
    }

}
