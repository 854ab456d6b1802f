package dev.outbox.producer.publish;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter: attempt n waits between half and all of min(initial * 2^(n-1), max). */
public record Backoff(Duration initial, Duration max) {

    public Duration delay(int attempt) {
        long cap = max.toMillis();
        long exponential = initial.toMillis() << Math.min(Math.max(attempt - 1, 0), 30);
        long ceiling = Math.min(cap, exponential <= 0 ? cap : exponential);
        long jittered = ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
        return Duration.ofMillis(Math.max(1, jittered));
    }
}
