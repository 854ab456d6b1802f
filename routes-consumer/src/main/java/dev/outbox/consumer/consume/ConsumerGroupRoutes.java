package dev.outbox.consumer.consume;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * {@code consume-persist}: this instance's members of the consumer group ({@code outbox.consumer.concurrency}, each
 * a Kafka consumer on a thread of its own, sharing the instance's client id). Records arrive in batches (one
 * poll); the batch is persisted by {@link EventProcessor} on the consumer's own thread, and only then are its offsets
 * committed, in one synchronous commit for the whole batch (camel-kafka manual commit; Kafka's auto-commit is
 * off). A batch may be gathered over several polls, so a partition can be revoked before its commit: that commit
 * fails or rewinds the group's offset, and either way the records are only redelivered. Nothing else commits: camel-kafka's own batch commit and its commit on revocation do nothing in this mode,
 * so an offset never runs ahead of the database. A crash before the commit redelivers the batch, and the unique
 * (group, event id) turns the redelivery into counted duplicates. A batch that cannot be finished (database down,
 * dead-letter topic unreachable) fails the exchange, and breakOnFirstError makes camel-kafka reconnect and poll
 * again from the last committed offsets instead of skipping it. The route starts only after the group's editable
 * route was found ({@link GroupRouteCheck}).
 *
 * <p>{@code consume-lag} refreshes the lag gauges; {@code consume-retention} purges old processed rows.
 */
@Component
public class ConsumerGroupRoutes extends RouteBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroupRoutes.class);

    private final EventProcessor processor;
    private final LagMonitor lag;
    private final ProcessedRetention retention;

    public ConsumerGroupRoutes(EventProcessor processor, LagMonitor lag, ProcessedRetention retention) {
        this.processor = processor;
        this.lag = lag;
        this.retention = retention;
    }

    @Override
    public void configure() {
        from("kafka:{{outbox.consumer.topics}}?groupId={{outbox.consumer.group}}&clientId={{outbox.instance-id}}"
                + "&batching=true&maxPollRecords={{outbox.consumer.max-poll-records}}"
                // members of the group in this instance, each on its own thread: one polls and parses while another
                // waits for its database commit
                + "&consumersCount={{outbox.consumer.concurrency}}"
                // without it a batch only ends full or after an empty poll: under a steady flow it waits for 2,000
                + "&batchingIntervalMs={{outbox.consumer.batching-interval-ms}}"
                + "&autoCommitEnable=false&allowManualCommit=true"
                + "&autoOffsetReset=earliest&pollTimeoutMs=100&breakOnFirstError=true"
                + "&valueDeserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer")
                .routeId("consume-persist").autoStartup(false)
                .process(exchange -> {
                    processor.process(records(exchange));
                    commitOffsets(exchange);
                });

        from("timer:consume-lag?delay=2000&period=5000")
                .routeId("consume-lag").routeConfigurationId("background-errors")
                .bean(lag, "refresh");

        from("timer:consume-retention?delay=60000&period={{outbox.consumer.retention-interval}}")
                .routeId("consume-retention").routeConfigurationId("background-errors")
                .bean(retention, "purge");
    }

    /**
     * Commits the persisted batch: the offset after its last record, for each partition it holds, in one
     * synchronous commit (one broker round trip per batch, not one per partition). The commit runs on the
     * consumer's own thread, which camel-kafka's manual commit hands us. A commit that fails (a partition revoked
     * while the batch was gathered over several polls, the broker away) is logged and left: the records are in
     * the database, so the worst outcome is their redelivery as counted duplicates.
     */
    @SuppressWarnings("unchecked")
    static void commitOffsets(Exchange batch) {
        Map<TopicPartition, OffsetAndMetadata> next = new LinkedHashMap<>();
        DefaultKafkaManualCommit last = null;
        for (Exchange record : (List<Exchange>) batch.getMessage().getBody(List.class)) {
            last = record.getMessage().getHeader(KafkaConstants.MANUAL_COMMIT, DefaultKafkaManualCommit.class);
            if (last == null) {
                throw new IllegalStateException("no manual commit on the record: the consume-persist endpoint needs "
                        + "allowManualCommit=true");
            }
            // the highest offset of each partition: a redelivered record may come later in the batch
            next.merge(last.getPartition(), new OffsetAndMetadata(last.getRecordOffset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        if (last == null) {
            return;
        }
        try {
            last.getConsumer().commitSync(next, Duration.ofMillis(last.getCommitTimeout()));
        } catch (KafkaException e) {
            LOG.warn("Offset commit failed partitions={} (their persisted records may be redelivered): {}",
                    next.keySet(), e.toString());
        }
    }

    /** The records of a camel-kafka batch exchange, with their headers as bytes. */
    @SuppressWarnings("unchecked")
    static List<RecordParser.RawRecord> records(Exchange batch) {
        List<Exchange> exchanges = batch.getMessage().getBody(List.class);
        List<RecordParser.RawRecord> records = new ArrayList<>(exchanges.size());
        for (Exchange exchange : exchanges) {
            Message in = exchange.getMessage();
            Map<String, byte[]> headers = new LinkedHashMap<>();
            in.getHeaders().forEach((name, value) -> {
                if (value instanceof byte[] bytes) {
                    headers.put(name, bytes);
                }
            });
            records.add(new RecordParser.RawRecord(in.getHeader(KafkaConstants.TOPIC, String.class),
                    in.getHeader(KafkaConstants.PARTITION, Integer.class), in.getHeader(KafkaConstants.OFFSET, Long.class),
                    in.getHeader(KafkaConstants.KEY, String.class), in.getBody(byte[].class), headers));
        }
        return records;
    }
}
