package dev.outbox.consumer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import dev.outbox.infra.testing.TestKafka;
import dev.outbox.shared.OutboxHeaders;
import dev.outbox.shared.Timestamps;

/** Records written to the test broker as the outbox publisher writes them. */
public final class TestRecords {

    private static KafkaProducer<String, byte[]> producer;

    private TestRecords() {
    }

    /** Sends a record with the publisher's headers and the given event id. */
    public static void publish(String topic, UUID eventId, String key, String json) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(OutboxHeaders.EVENT_ID, eventId.toString().getBytes(StandardCharsets.UTF_8));
        headers.add(OutboxHeaders.ACCEPTED_AT, Timestamps.format(Instant.now()).getBytes(StandardCharsets.UTF_8));
        headers.add(OutboxHeaders.VERSION, "1".getBytes(StandardCharsets.UTF_8));
        send(new ProducerRecord<>(topic, null, key, json.getBytes(StandardCharsets.UTF_8), headers));
    }

    public static void send(ProducerRecord<String, byte[]> record) {
        try {
            producer().send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    TestKafka.broker().bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"),
                    new StringSerializer(), new ByteArraySerializer());
        }
        return producer;
    }
}
