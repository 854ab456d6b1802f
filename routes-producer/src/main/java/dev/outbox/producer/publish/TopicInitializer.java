package dev.outbox.producer.publish;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the allowed topics when missing. Several instances starting at once race harmlessly (the loser
 * sees TopicExistsException). Kafka may be down at start-up: ingest must still work, so this is retried by
 * the publisher route until it succeeds instead of failing the start.
 */
public class TopicInitializer {

    private static final Logger LOG = LoggerFactory.getLogger(TopicInitializer.class);

    private final Admin admin;
    private final List<String> topics;
    private final PublisherProperties.Topic settings;
    private volatile boolean done;

    public TopicInitializer(Admin admin, List<String> topics, PublisherProperties.Topic settings) {
        this.admin = admin;
        this.topics = List.copyOf(topics);
        this.settings = settings;
    }

    public boolean ensureTopics() {
        if (done) {
            return true;
        }
        try {
            for (String topic : topics) {
                create(topic);
            }
            done = true;
            LOG.info("Topics ready topics={}", topics);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Topics not created yet (Kafka unreachable?), will retry: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return done;
    }

    private void create(String topic) throws ExecutionException, InterruptedException, TimeoutException {
        NewTopic definition = new NewTopic(topic, settings.partitions(), settings.replicationFactor())
                .configs(settings.config());
        try {
            admin.createTopics(List.of(definition)).all().get(10, TimeUnit.SECONDS);
            LOG.info("Topic created topic={} partitions={}", topic, settings.partitions());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
