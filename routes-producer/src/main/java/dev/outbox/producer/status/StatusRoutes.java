package dev.outbox.producer.status;

import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

import dev.outbox.shared.Problem;

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
        respond(exchange.getMessage(), report.up() ? 200 : 503, report.json());
    }

    private void event(Exchange exchange) {
        UUID id = parseId(exchange.getIn().getHeader("eventId", String.class));
        String body = events.find(id).orElseThrow(() -> Problem.of(404, "event-not-found", "Event not found",
                "no event with id " + id).toException());
        respond(exchange.getMessage(), 200, body);
    }

    static UUID parseId(String text) {
        if (text == null || text.length() != 36) {
            throw Problem.invalidField(400, "/eventId", "must be a UUID like 0190c2a4-5b1e-7c3d-8e4f-0123456789ab")
                    .toException();
        }
        try {
            return UUID.fromString(text);
        } catch (IllegalArgumentException e) {
            throw Problem.invalidField(400, "/eventId", "must be a UUID like 0190c2a4-5b1e-7c3d-8e4f-0123456789ab")
                    .toException();
        }
    }

    private static void respond(Message out, int status, String body) {
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(body);
    }
}
