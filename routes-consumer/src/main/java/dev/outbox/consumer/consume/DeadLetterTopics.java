package dev.outbox.consumer.consume;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.outbox.consumer.config.ConsumerProperties;

/**
 * Creates {@code <topic>.DLT} for every consumed topic before consuming starts (brokers usually refuse to
 * auto-create topics), so that a poison record can always be parked. Several members racing is harmless.
 */
@Component
public class DeadLetterTopics {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterTopics.class);

    private final Admin admin;
    private final List<String> topics;

    public DeadLetterTopics(Admin consumerAdmin, ConsumerProperties properties, DeadLetters deadLetters) {
        this.admin = consumerAdmin;
        this.topics = properties.consumer().topics().stream().map(deadLetters::topicFor).toList();
    }

    public void ensure() {
        for (String topic : topics) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1))).all().get(10, TimeUnit.SECONDS);
                LOG.info("Dead-letter topic created topic={}", topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    LOG.warn("Dead-letter topic not created (poison records will wait until it can be) topic={} error={}",
                            topic, e.getCause().toString());
                }
            } catch (TimeoutException e) {
                LOG.warn("Dead-letter topic not created in time topic={}", topic);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
