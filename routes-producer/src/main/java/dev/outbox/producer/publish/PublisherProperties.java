package dev.outbox.producer.publish;

import java.time.Duration;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Publisher settings ({@code outbox.publisher.*}) and the Kafka producer's ({@code outbox.kafka.*}).
 *
 * @param pollPeriod      the fallback poll (commits wake publishers at once): retries falling due, missed wake-ups
 * @param batchSize       rows claimed and sent per round and lane; a full batch polls again at once
 * @param maxBatchBytes   payload and header bytes per claim: the row that crosses it ends the batch (bounds the
 *                        heap a backlog of large events takes: lanes x this, three to four copies of it at the
 *                        peak, README: Large events); claims sum sizes only when a row over 2 KB is in range or
 *                        batchSize x 2 KB exceeds it
 * @param lanes           owned buckets are split into this many lanes published in parallel
 * @param leaseTimeout    how long a bucket stays owned without a heartbeat (takeover bound)
 * @param heartbeat       how often leases are renewed and rebalanced
 * @param maxAttempts     attempts before a permanently refused record is dead-lettered
 * @param initialBackoff  first retry delay; doubles per attempt, with jitter
 * @param maxBackoff      retry delay cap (transient errors are retried forever at most this far apart)
 */
@ConfigurationProperties("outbox.publisher")
public record PublisherProperties(boolean enabled, Duration pollPeriod, int batchSize, DataSize maxBatchBytes,
                                  int lanes, Duration leaseTimeout, Duration heartbeat, int maxAttempts,
                                  Duration initialBackoff, Duration maxBackoff, Topic topic) {

    public PublisherProperties {
        if (batchSize < 1 || maxBatchBytes.toBytes() < 1) {
            // a claim of nothing would publish nothing, silently
            throw new IllegalArgumentException("outbox.publisher.batch-size and .max-batch-bytes must be at least 1, "
                    + "were " + batchSize + " and " + maxBatchBytes);
        }
    }

    /** The topic created at start-up when missing. */
    public record Topic(int partitions, short replicationFactor, Map<String, String> config) {
    }

    /** Kafka producer settings; {@code properties} pass through verbatim (TLS/SASL and the rest). */
    @ConfigurationProperties("outbox.kafka")
    public record Kafka(String bootstrapServers, DataSize maxRequestSize, Map<String, String> producer) {
    }
}
