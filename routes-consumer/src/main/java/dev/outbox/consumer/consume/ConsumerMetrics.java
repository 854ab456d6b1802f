package dev.outbox.consumer.consume;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The consumer's meters, named as DESIGN.md's metric table says, tagged with the group. */
public class ConsumerMetrics {

    private final MeterRegistry registry;
    private final String group;
    private final Counter processed;
    private final Counter duplicates;
    private final Counter deadLetters;
    private final Timer endToEnd;
    private final Map<Integer, AtomicLong> lag = new ConcurrentHashMap<>();

    public ConsumerMetrics(MeterRegistry registry, String group) {
        this.registry = registry;
        this.group = group;
        this.processed = Counter.builder("outbox.consumer.processed").tag("group", group)
                .description("Events persisted by the group").register(registry);
        this.duplicates = Counter.builder("outbox.consumer.duplicates").tag("group", group)
                .description("Duplicates skipped").register(registry);
        this.deadLetters = Counter.builder("outbox.consumer.dead.letters").tag("group", group)
                .description("Records sent to the dead-letter topic").register(registry);
        this.endToEnd = Timer.builder("outbox.end.to.end.latency").tag("group", group)
                .description("Accepted by the producer to persisted by the group")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
    }

    void processed(long count) {
        processed.increment(count);
    }

    void duplicates(long count) {
        duplicates.increment(count);
    }

    void deadLettered() {
        deadLetters.increment();
    }

    void endToEnd(Duration latency) {
        endToEnd.record(latency.isNegative() ? Duration.ZERO : latency);
    }

    /** Records behind the log end for one partition (a gauge per partition, created on first sight). */
    public void lag(int partition, long behind) {
        lag.computeIfAbsent(partition, p -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder("outbox.consumer.lag", value, AtomicLong::get).tag("group", group)
                    .tag("partition", Integer.toString(p)).description("Records behind the log end")
                    .register(registry);
            return value;
        }).set(behind);
    }

    public long totalLag() {
        return lag.values().stream().mapToLong(AtomicLong::get).sum();
    }

    public double processedCount() {
        return processed.count();
    }

    public double duplicateCount() {
        return duplicates.count();
    }

    public double deadLetterCount() {
        return deadLetters.count();
    }
}
