package dev.outbox.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/**
 * Records on shared-events so far (the sum of its partitions' end offsets), read from the broker through one
 * admin client: how the bench follows a drain without counting the outbox while the publisher works on it.
 */
final class TopicRecords implements AutoCloseable {

    private static final String TOPIC = "shared-events";

    private final Admin admin;
    private final Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();

    TopicRecords(String brokers) throws ExecutionException, InterruptedException {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers));
        admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions()
                .forEach(p -> latest.put(new TopicPartition(TOPIC, p.partition()), OffsetSpec.latest()));
    }

    long count() throws ExecutionException, InterruptedException {
        return admin.listOffsets(latest).all().get().values().stream().mapToLong(r -> r.offset()).sum();
    }

    @Override
    public void close() {
        admin.close();
    }
}
