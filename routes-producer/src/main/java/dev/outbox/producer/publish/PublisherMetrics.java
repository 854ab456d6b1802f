package dev.outbox.producer.publish;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The publisher's meters, named as DESIGN.md's metric table says (dashboards and alerts depend on them). */
public class PublisherMetrics {

    private final MeterRegistry registry;
    private final Counter published;
    private final Counter deadLetters;
    private final Timer latency;
    private final Timer claim;
    private final Timer send;
    private final Timer complete;

    public PublisherMetrics(MeterRegistry registry, BucketLeases leases) {
        this.registry = registry;
        this.published = Counter.builder("outbox.events.published")
                .description("Records acknowledged by Kafka").register(registry);
        this.deadLetters = Counter.builder("outbox.dead.letters")
                .description("Events moved to the dead-letter table").register(registry);
        this.latency = Timer.builder("outbox.publish.latency")
                .description("Accepted (ingest commit) to acknowledged by Kafka")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry);
        this.claim = phase(registry, "claim");
        this.send = phase(registry, "send");
        this.complete = phase(registry, "complete");
        Gauge.builder("outbox.buckets.owned", leases, BucketLeases::ownedCount)
                .description("Key-hash buckets this instance publishes").register(registry);
        Counter.builder("outbox.publish.failures").tag("reason", "none")
                .description("Failed publish attempts").register(registry);
    }

    /**
     * The steps of a publish batch, for an operator asking where publishing time goes: {@code claim} (the SQL that
     * reads the batch; idle polls included), {@code send} (from the first send until every record is acknowledged
     * or has failed, a failure's retry or dead-letter bookkeeping and the flush the lanes share included),
     * {@code complete} (the fenced delete that records the acknowledgements). Empty claims record only a claim.
     */
    private static Timer phase(MeterRegistry registry, String phase) {
        return Timer.builder("outbox.publish.phase").tag("phase", phase)
                .description("Time of each step of a publish batch: claim, send (until every ack), complete")
                .register(registry);
    }

    void claimTook(long nanos) {
        claim.record(nanos, TimeUnit.NANOSECONDS);
    }

    void sendTook(long nanos) {
        send.record(nanos, TimeUnit.NANOSECONDS);
    }

    void completeTook(long nanos) {
        complete.record(nanos, TimeUnit.NANOSECONDS);
    }

    void published(List<OutboxRepository.Published> rows, int completed) {
        published.increment(completed);
        for (OutboxRepository.Published p : rows) {
            latency.record(Duration.between(p.row().acceptedAt(), p.publishedAt()));
        }
    }

    void failed(String reason) {
        Counter.builder("outbox.publish.failures").tag("reason", reason)
                .description("Failed publish attempts").register(registry).increment();
    }

    void deadLettered() {
        deadLetters.increment();
    }

}
