package dev.outbox.producer.publish;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * The publisher as routes. {@code outbox-publish} drains the owned buckets (polling again at once while batches
 * come back full) whenever it is woken ({@link OutboxWakeups}): by a commit on this instance, by a commit of
 * another instance announced through PostgreSQL ({@code outbox-listen}), by buckets just acquired
 * ({@code outbox-lease}, which also renews and rebalances the leases) or, as the fallback, by the
 * {@code outbox-poll} timer. {@code outbox-notify} announces this instance's commits to the others,
 * {@code outbox-backlog} refreshes the backlog gauges, {@code outbox-retention} purges history. With
 * {@code outbox.publisher.enabled=false} an instance only ingests: it still announces its commits and refreshes
 * the backlog, which the gauges and the ingest backpressure cap read.
 */
@Component
public class OutboxPublisherRoutes extends RouteBuilder {

    private final OutboxPublisher publisher;
    private final OutboxWakeups wakeups;
    private final BucketLeases leases;
    private final BacklogMonitor backlog;
    private final TopicInitializer topics;
    private final RetentionJob retention;
    private final PublisherProperties properties;
    private final RetentionProperties retentionProperties;

    public OutboxPublisherRoutes(OutboxPublisher publisher, OutboxWakeups wakeups, BucketLeases leases, BacklogMonitor backlog,
                                 TopicInitializer topics, RetentionJob retention, PublisherProperties properties,
                                 RetentionProperties retentionProperties) {
        this.publisher = publisher;
        this.wakeups = wakeups;
        this.leases = leases;
        this.backlog = backlog;
        this.topics = topics;
        this.retention = retention;
        this.properties = properties;
        this.retentionProperties = retentionProperties;
    }

    @Override
    public void configure() {
        from("timer:outbox-backlog?delay=0&period=1000")
                .routeId("outbox-backlog").routeConfigurationId("background-errors")
                .bean(backlog, "refresh");

        from(OutboxWakeups.PEERS)
                .routeId("outbox-notify").routeConfigurationId("background-errors")
                .bean(wakeups, "notifyPeers");
        if (!properties.enabled()) {
            return;
        }

        from(OutboxWakeups.LOCAL)
                .routeId("outbox-publish").routeConfigurationId("background-errors")
                .filter(method(topics, "ensureTopics"))
                .bean(publisher, "drain");

        from("timer:outbox-poll?delay=0&period=" + properties.pollPeriod().toMillis())
                .routeId("outbox-poll").routeConfigurationId("background-errors")
                .to(OutboxWakeups.LOCAL);

        // back to back: each exchange waits up to one heartbeat for another instance's announcement
        from("timer:outbox-listen?delay=0&period=1")
                .routeId("outbox-listen").routeConfigurationId("background-errors")
                .filter(method(wakeups, "awaitPeerCommit"))
                .to(OutboxWakeups.LOCAL);

        from("timer:outbox-lease?delay=0&period=" + properties.heartbeat().toMillis())
                .routeId("outbox-lease").routeConfigurationId("background-errors")
                .filter(method(leases, "heartbeat"))
                .to(OutboxWakeups.LOCAL);

        from("timer:outbox-retention?delay=60000&period=" + retentionProperties.interval().toMillis())
                .routeId("outbox-retention").routeConfigurationId("background-errors")
                .bean(retention, "purge");
    }
}
