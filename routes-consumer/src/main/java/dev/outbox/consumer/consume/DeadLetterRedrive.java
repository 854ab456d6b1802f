package dev.outbox.consumer.consume;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-drives this group's dead letters once their cause is fixed: reads {@code <topic>.DLT} with a consumer group
 * of its own ({@code <group>-redrive}, so each dead letter is re-driven once), and processes the records that
 * this group dead-lettered exactly as if they had just arrived. Those that fail again are dead-lettered again.
 */
public class DeadLetterRedrive {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterRedrive.class);

    private final EventProcessor processor;
    private final Map<String, Object> clientConfig;
    private final String group;
    private final List<String> deadLetterTopics;

    public DeadLetterRedrive(EventProcessor processor, Map<String, Object> clientConfig, String group,
                             List<String> deadLetterTopics) {
        this.processor = processor;
        this.clientConfig = clientConfig;
        this.group = group;
        this.deadLetterTopics = List.copyOf(deadLetterTopics);
    }

    /** Re-drives up to {@code limit} dead letters; returns how many of this group's were processed. */
    public synchronized int redrive(int limit) {
        Map<String, Object> config = new HashMap<>(clientConfig);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group + "-redrive");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Math.min(limit, 500));
        int done = 0;
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(deadLetterTopics);
            int emptyPolls = 0;
            while (done < limit && emptyPolls < 3) {
                var polled = consumer.poll(Duration.ofSeconds(1));
                if (polled.isEmpty()) {
                    emptyPolls++;
                    continue;
                }
                List<RecordParser.RawRecord> ours = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> record : polled) {
                    if (group.equals(header(record, DeadLetters.GROUP))) {
                        ours.add(original(record));
                    }
                }
                processor.process(ours);
                consumer.commitSync();
                done += ours.size();
            }
        }
        LOG.info("Dead letters re-driven group={} count={}", group, done);
        return done;
    }

    /** The dead letter as the original record: its topic, partition and offset come from the DLT headers. */
    private static RecordParser.RawRecord original(ConsumerRecord<String, byte[]> record) {
        Map<String, byte[]> headers = new HashMap<>();
        for (Header header : record.headers()) {
            if (!header.key().startsWith("outbox-dlt-")) {
                headers.put(header.key(), header.value());
            }
        }
        String topic = header(record, DeadLetters.ORIGINAL_TOPIC);
        String partition = header(record, DeadLetters.ORIGINAL_PARTITION);
        String offset = header(record, DeadLetters.ORIGINAL_OFFSET);
        return new RecordParser.RawRecord(topic == null ? record.topic() : topic,
                partition == null ? record.partition() : Integer.parseInt(partition),
                offset == null ? record.offset() : Long.parseLong(offset), record.key(), record.value(), headers);
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
