package dev.outbox.consumer.consume;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Sends records the group cannot process to {@code <topic>.DLT}, with the original topic, partition, offset,
 * group and error as headers beside the original headers. The send is acknowledged before the offsets move on.
 */
public class DeadLetters {

    public static final String ORIGINAL_TOPIC = "outbox-dlt-original-topic";
    public static final String ORIGINAL_PARTITION = "outbox-dlt-original-partition";
    public static final String ORIGINAL_OFFSET = "outbox-dlt-original-offset";
    public static final String GROUP = "outbox-dlt-group";
    public static final String ERROR = "outbox-dlt-error";

    private final Producer<String, byte[]> producer;
    private final String suffix;

    public DeadLetters(Producer<String, byte[]> producer, String suffix) {
        this.producer = producer;
        this.suffix = suffix;
    }

    public String topicFor(String topic) {
        return topic + suffix;
    }

    public void send(RecordParser.RawRecord record, String group, String reason) {
        RecordHeaders headers = new RecordHeaders();
        record.headers().forEach(headers::add);
        headers.add(ORIGINAL_TOPIC, bytes(record.topic()));
        headers.add(ORIGINAL_PARTITION, bytes(Integer.toString(record.partition())));
        headers.add(ORIGINAL_OFFSET, bytes(Long.toString(record.offset())));
        headers.add(GROUP, bytes(group));
        headers.add(ERROR, bytes(reason.length() > 1000 ? reason.substring(0, 1000) : reason));
        try {
            producer.send(new ProducerRecord<>(topicFor(record.topic()), null, record.key(), record.value(), headers))
                    .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not dead-letter a record (it will be redelivered)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
