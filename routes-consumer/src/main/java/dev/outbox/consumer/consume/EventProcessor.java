package dev.outbox.consumer.consume;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.outbox.consumer.config.ConsumerProperties;

/**
 * Persists a batch of records for this instance's group, exactly once per event (DESIGN.md promises 6-8):
 * in one transaction, the service inserts the once-per-group rows (only new events get one), then hands the
 * new events to the group's editable route, whose writes join the same transaction. If the batch fails, its
 * records are retried one by one, so that a poison record goes to the dead-letter topic alone and the rest
 * are persisted; nothing is dropped silently.
 */
@Component
public class EventProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(EventProcessor.class);

    private final ProcessedEventStore store;
    private final TransactionTemplate transactions;
    private final ProducerTemplate routes;
    private final DeadLetters deadLetters;
    private final ConsumerMetrics metrics;
    private final String group;
    private final String instanceId;
    private final String processRoute;
    private final int maxAttempts;

    public EventProcessor(ProcessedEventStore store, TransactionTemplate transactions, ProducerTemplate routes,
                          DeadLetters deadLetters, ConsumerMetrics metrics, ConsumerProperties properties) {
        this.store = store;
        this.transactions = transactions;
        this.routes = routes;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
        this.group = properties.consumer().group();
        this.instanceId = properties.instanceId();
        this.processRoute = properties.processRoute();
        this.maxAttempts = Math.max(1, properties.consumer().maxAttempts());
    }

    /** Processes the records of one poll; returns when each is persisted or dead-lettered. */
    public void process(List<RecordParser.RawRecord> records) {
        Map<UUID, ConsumedEvent> events = new LinkedHashMap<>();
        for (RecordParser.RawRecord record : records) {
            try {
                ConsumedEvent event = RecordParser.parse(record);
                if (events.putIfAbsent(event.eventId(), event) != null) {
                    metrics.duplicates(1);
                }
            } catch (RecordParser.PoisonRecordException poison) {
                deadLetter(record, "unreadable record: " + poison.getMessage());
            }
        }
        if (events.isEmpty()) {
            return;
        }
        List<ConsumedEvent> batch = new ArrayList<>(events.values());
        try {
            persist(batch);
        } catch (RuntimeException batchFailure) {
            LOG.warn("Batch failed, retrying its {} records one by one group={}: {}", batch.size(), group,
                    batchFailure.toString());
            for (ConsumedEvent event : batch) {
                persistAlone(event, records);
            }
        }
    }

    private void persistAlone(ConsumedEvent event, List<RecordParser.RawRecord> records) {
        RuntimeException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            try {
                persist(List.of(event));
                return;
            } catch (RuntimeException failure) {
                if (dev.outbox.shared.DatabaseFailures.isOutage(failure)) {
                    throw failure; // the database is down: nothing is committed, the batch is redelivered later
                }
                last = failure;
            }
        }
        RecordParser.RawRecord raw = records.stream()
                .filter(r -> r.partition() == event.partition() && r.offset() == event.offset() && r.topic().equals(event.topic()))
                .findFirst().orElseThrow();
        deadLetter(raw, "processing failed " + maxAttempts + " times: " + rootMessage(last));
    }

    private void persist(List<ConsumedEvent> batch) {
        List<ConsumedEvent> persisted = transactions.execute(status -> {
            Set<UUID> fresh = store.insertNew(group, instanceId, batch);
            List<ConsumedEvent> newEvents = batch.stream().filter(e -> fresh.contains(e.eventId())).toList();
            if (!newEvents.isEmpty()) {
                List<Map<String, Object>> items = newEvents.stream().map(e -> e.asRouteItem(group)).toList();
                withTrace(newEvents, () -> runGroupRoute(items));
            }
            return newEvents;
        });
        Instant now = Instant.now();
        metrics.processed(persisted.size());
        metrics.duplicates(batch.size() - persisted.size());
        for (ConsumedEvent event : persisted) {
            if (event.acceptedAt() != null) {
                metrics.endToEnd(Duration.between(event.acceptedAt(), now));
            }
        }
    }

    /**
     * Runs the group's route on this thread, inside the transaction. The exchange is marked transacted so that
     * components (camel-sql's batch mode, for one) leave committing to the transaction instead of doing it.
     */
    private void runGroupRoute(List<Map<String, Object>> items) {
        Exchange exchange = routes.send(processRoute, e -> {
            e.getExchangeExtension().setTransacted(true);
            e.getMessage().setBody(items);
        });
        if (exchange.getException() != null) {
            throw new IllegalStateException("the route of group " + group + " failed", exchange.getException());
        }
    }

    /** The traceparent of the (first) event in the log context while its group route runs. */
    private static void withTrace(List<ConsumedEvent> events, Runnable work) {
        String trace = events.get(0).traceparent();
        if (trace == null) {
            work.run();
            return;
        }
        try (MDC.MDCCloseable ignored = MDC.putCloseable("traceparent", trace)) {
            work.run();
        }
    }

    private void deadLetter(RecordParser.RawRecord record, String reason) {
        deadLetters.send(record, group, reason);
        metrics.deadLettered();
        LOG.warn("Dead-lettered topic={} partition={} offset={} group={} reason={}", record.topic(), record.partition(),
                record.offset(), group, reason);
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
