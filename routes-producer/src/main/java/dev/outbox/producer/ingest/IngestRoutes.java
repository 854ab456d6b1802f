package dev.outbox.producer.ingest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestParamType;
import org.springframework.stereotype.Component;

import org.springframework.util.unit.DataSize;

import dev.outbox.producer.config.OutboxProperties;
import dev.outbox.producer.publish.BacklogMonitor;
import dev.outbox.producer.publish.OutboxWakeups;
import dev.outbox.producer.publish.PublisherProperties;
import dev.outbox.shared.Problem;
import dev.outbox.shared.camel.HttpAnswers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code POST /api/messages/send} and {@code /batch}: validate, then commit events and outbox rows in one
 * transaction, then answer 202. The publisher (publish/) takes it from there.
 */
@Component
public class IngestRoutes extends RouteBuilder {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    private static final int MAX_IDEMPOTENCY_KEY_LENGTH = 256;
    private static final DataSize RECORD_OVERHEAD = DataSize.ofKilobytes(64);

    private final IngestRequestParser parser;
    private final EventStore store;
    private final GroupCommitter groupCommit;
    private final Counter accepted;

    private final BacklogMonitor backlog;
    private final OutboxWakeups wakeups;
    private final long maxPendingEvents;
    private final long retryAfterSeconds;

    public IngestRoutes(OutboxProperties properties, PublisherProperties.Kafka kafka, EventStore store,
                        GroupCommitter groupCommit, BacklogMonitor backlog, OutboxWakeups wakeups,
                        MeterRegistry registry) {
        this.parser = new IngestRequestParser(properties.topics().allowed(), deliverable(properties.ingest(), kafka));
        this.store = store;
        this.groupCommit = groupCommit;
        this.backlog = backlog;
        this.wakeups = wakeups;
        this.maxPendingEvents = properties.ingest().maxPendingEvents();
        this.retryAfterSeconds = Math.max(1, properties.ingest().retryAfter().toSeconds());
        this.accepted = Counter.builder("outbox.events.accepted")
                .description("Events committed by the REST API").register(registry);
    }

    @Override
    public void configure() {
        rest("/api/messages").description("Ingest: events into the transactional outbox")
                .post("/send").id("ingest-send").description("Accept one event")
                    .produces("application/json")
                    .param().name(IDEMPOTENCY_KEY).type(RestParamType.header).required(false)
                        .description("Repeat-safe key: a repeated POST returns the first answer").endParam()
                    .param().name("traceparent").type(RestParamType.header).required(false).endParam()
                    .to("direct:ingest-send")
                .post("/batch").id("ingest-batch").description("Accept a batch of events, all or nothing")
                    .produces("application/json")
                    .param().name(IDEMPOTENCY_KEY).type(RestParamType.header).required(false).endParam()
                    .to("direct:ingest-batch");

        // once committed, the publishers are woken: this instance's in-process, the others' through PostgreSQL
        from("direct:ingest-send").routeConfigurationId("problem-handling")
                .process(this::send)
                .bean(wakeups, "committed");
        from("direct:ingest-batch").routeConfigurationId("problem-handling")
                .process(this::batch)
                .bean(wakeups, "committed");
    }

    /**
     * The message size limit is capped by what the Kafka producer can send (max.request.size less room for the
     * key, headers and record overhead), so nothing accepted is undeliverable by size.
     */
    static OutboxProperties.Ingest deliverable(OutboxProperties.Ingest ingest, PublisherProperties.Kafka kafka) {
        long sendable = kafka.maxRequestSize().toBytes() - RECORD_OVERHEAD.toBytes();
        long limit = Math.min(ingest.maxMessageSize().toBytes(), sendable);
        return ingest.withMaxMessageSize(DataSize.ofBytes(limit));
    }

    /** Backpressure (off unless a cap is set): over the cap, ingest answers 503 instead of growing the outbox. */
    private void checkBacklog() {
        if (maxPendingEvents > 0 && backlog.pending() >= maxPendingEvents) {
            throw Problem.of(503, "backlog-full", "Outbox backlog full",
                    "the outbox holds " + backlog.pending() + " unpublished events (cap " + maxPendingEvents
                            + "); retry later").withHeader("Retry-After", Long.toString(retryAfterSeconds)).toException();
        }
    }

    private void send(Exchange exchange) {
        Message in = exchange.getIn();
        byte[] body = jsonBody(in);
        checkBacklog();
        IngestRequest request = parser.parseSend(body, in.getHeader("traceparent", String.class));
        String key = idempotencyKey(in);
        if (key == null) {
            AcceptedEvent event = groupCommit.accept(List.of(request)).get(0);
            accepted.increment();
            respond(exchange, IngestResponses.single(event), "/api/messages/" + event.eventId());
            return;
        }
        var result = store.acceptOnce(key, fingerprint("send", body), List.of(request),
                events -> IngestResponses.single(events.get(0)));
        if (!result.replayed()) {
            accepted.increment();
        }
        // a replayed answer is the stored body: its event id is read back from it
        respond(exchange, result.body(), "/api/messages/" + IngestResponses.eventIdOf(result.body()));
    }

    private void batch(Exchange exchange) {
        Message in = exchange.getIn();
        byte[] body = jsonBody(in);
        checkBacklog();
        List<IngestRequest> requests = parser.parseBatch(body, in.getHeader("traceparent", String.class));
        String key = idempotencyKey(in);
        String answer;
        if (key == null) {
            answer = IngestResponses.batch(groupCommit.accept(requests));
            accepted.increment(requests.size());
        } else {
            var result = store.acceptOnce(key, fingerprint("batch", body), requests, IngestResponses::batch);
            answer = result.body();
            if (!result.replayed()) {
                accepted.increment(requests.size());
            }
        }
        respond(exchange, answer, null);
    }

    private static void respond(Exchange exchange, String body, String location) {
        HttpAnswers.json(exchange.getMessage(), 202, body);
        if (location != null) {
            exchange.getMessage().setHeader("Location", location);
        }
    }

    /** 415 for anything but JSON; a charset other than UTF-8 is refused too (RFC 8259 says UTF-8). */
    private static byte[] jsonBody(Message in) {
        String contentType = in.getHeader(Exchange.CONTENT_TYPE, String.class);
        if (!isJson(contentType)) {
            throw Problem.of(415, "unsupported-media-type", "Unsupported media type",
                    "send the body as application/json").toException();
        }
        return in.getBody(byte[].class);
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String[] parts = contentType.toLowerCase(Locale.ROOT).split(";");
        String type = parts[0].strip();
        if (!type.equals("application/json") && !(type.startsWith("application/") && type.endsWith("+json"))) {
            return false;
        }
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].strip();
            if (parameter.startsWith("charset=") && !parameter.substring(8).replace("\"", "").equals("utf-8")) {
                return false;
            }
        }
        return true;
    }

    private static String idempotencyKey(Message in) {
        String key = in.getHeader(IDEMPOTENCY_KEY, String.class);
        if (key == null) {
            return null;
        }
        if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY_LENGTH || key.chars().anyMatch(Character::isISOControl)) {
            throw Problem.of(400, "invalid-idempotency-key", "Invalid Idempotency-Key",
                    "the Idempotency-Key header must be 1-" + MAX_IDEMPOTENCY_KEY_LENGTH + " printable characters")
                    .toException();
        }
        return key;
    }

    private static byte[] fingerprint(String endpoint, byte[] body) {
        byte[] prefix = (endpoint + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, all, 0, prefix.length);
        System.arraycopy(body, 0, all, prefix.length, body.length);
        return all;
    }
}
