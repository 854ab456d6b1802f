package dev.outbox.consumer.consume;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/** Consumer lag per partition (log end offset minus the group's committed offset), read with the admin client. */
public class LagMonitor {

    private final Admin admin;
    private final String group;
    private final List<String> topics;
    private final ConsumerMetrics metrics;

    public LagMonitor(Admin admin, String group, List<String> topics, ConsumerMetrics metrics) {
        this.admin = admin;
        this.group = group;
        this.topics = List.copyOf(topics);
        this.metrics = metrics;
    }

    public void refresh() throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS).forEach((name, description) ->
                description.partitions().forEach(p -> request.put(new TopicPartition(name, p.partition()), OffsetSpec.latest())));
        var ends = admin.listOffsets(request).all().get(5, TimeUnit.SECONDS);
        ends.forEach((partition, end) -> {
            OffsetAndMetadata done = committed.get(partition);
            long behind = end.offset() - (done == null ? 0 : done.offset());
            metrics.lag(partition.partition(), Math.max(0, behind));
        });
    }
}
