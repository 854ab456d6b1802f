package dev.outbox.producer.publish;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/** How long history is kept ({@code outbox.retention.*}) and how the purge is bounded. */
@ConfigurationProperties("outbox.retention")
public record RetentionProperties(Duration events, Duration deadLetters, Duration interval, int batchSize,
                                  int maxBatchesPerRun) {
}
