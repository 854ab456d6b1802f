package dev.outbox.producer.config;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** The producer's own settings, under {@code outbox.*} (defaults in application.yml). */
@ConfigurationProperties("outbox")
public record OutboxProperties(String serviceId, String instanceId, Topics topics, Ingest ingest, Buckets buckets) {

    /** Topics clients may post to; anything else is a 422. */
    public record Topics(List<String> allowed) {
    }

    /**
     * Request limits and the database wait bound. {@code maxBodySize} applies to a single send,
     * {@code maxBatchBodySize} to a whole batch; {@code maxMessageSize} to each event's serialised message.
     * {@code bodyReadTimeout} bounds the time a client may take to send a body (slow-loris clients).
     */
    public record Ingest(DataSize maxBodySize, DataSize maxBatchBodySize, DataSize maxMessageSize, int maxBatchSize,
                         int maxKeyLength, int maxHeaders, int maxHeaderValueLength, Duration retryAfter,
                         long maxPendingEvents, GroupCommit groupCommit, Duration bodyReadTimeout) {

        public Ingest withMaxMessageSize(DataSize size) {
            return new Ingest(maxBodySize, maxBatchBodySize, size, maxBatchSize, maxKeyLength, maxHeaders,
                    maxHeaderValueLength, retryAfter, maxPendingEvents, groupCommit, bodyReadTimeout);
        }
    }

    /** Concurrent requests committed together: writer threads, and the most events one commit may hold. */
    public record GroupCommit(int writers, int maxEvents) {
    }

    /** Key-hash buckets: the unit of publishing order and of ownership between publisher instances. */
    public record Buckets(int count) {
    }
}
