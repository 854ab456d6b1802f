package dev.outbox.consumer.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The consumer's settings. {@code group} and {@code topics} take the seed's {@code KAFKA_CONSUMER_GROUP} and
 * {@code KAFKA_TOPICS}; {@code maxPollRecords} is the batch persisted per transaction; {@code concurrency} is the
 * number of group members (consumer threads) in this instance; a record that still fails after
 * {@code maxAttempts} goes to {@code <topic><deadLetterSuffix>}.
 */
@ConfigurationProperties("outbox")
public record ConsumerProperties(String serviceId, String instanceId, Consumer consumer, Kafka kafka) {

    public record Consumer(String group, List<String> topics, int maxPollRecords, int concurrency, int maxAttempts,
                           String deadLetterSuffix, Duration retention, Duration retentionInterval,
                           int retentionBatchSize) {
    }

    /** {@code client} properties pass verbatim to the Kafka clients (TLS/SASL settings go here). */
    public record Kafka(String bootstrapServers, Map<String, String> client) {
    }

    public String processRoute() {
        return "direct:process-" + consumer.group();
    }
}
