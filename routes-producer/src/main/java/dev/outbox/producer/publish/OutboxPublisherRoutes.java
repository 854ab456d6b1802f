package dev.outbox.producer.publish;

import org.apache.camel.builder.RouteBuilder;
import org.springframework.stereotype.Component;

/**
 * The publisher as timer-driven routes: {@code outbox-publish} drains the owned buckets (polling again at once
 * while batches come back full, else waiting one poll period), {@code outbox-lease} renews and rebalances
 * bucket leases, {@code outbox-backlog} refreshes the backlog gauges, {@code outbox-retention} purges history.
 * With {@code outbox.publisher.enabled=false} an instance only ingests: the backlog route still runs, since
 * the gauges and the ingest backpressure cap read it.
 */
@Component
public class OutboxPublisherRoutes extends RouteBuilder {

    private final OutboxPublisher publisher;
    private final BucketLeases leases;
    private final BacklogMonitor backlog;
    private final TopicInitializer topics;
    private final RetentionJob retention;
    private final PublisherProperties properties;
    private final RetentionProperties retentionProperties;

    public OutboxPublisherRoutes(OutboxPublisher publisher, BucketLeases leases, BacklogMonitor backlog,
                                 TopicInitializer topics, RetentionJob retention, PublisherProperties properties,
                                 RetentionProperties retentionProperties) {
        this.publisher = publisher;
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
        if (!properties.enabled()) {
            return;
        }

        from("timer:outbox-publish?delay=0&period=" + properties.pollPeriod().toMillis())
                .routeId("outbox-publish").routeConfigurationId("background-errors")
                .filter(method(topics, "ensureTopics"))
                .bean(publisher, "drain");

        from("timer:outbox-lease?delay=0&period=" + properties.heartbeat().toMillis())
                .routeId("outbox-lease").routeConfigurationId("background-errors")
                .bean(leases, "heartbeat");

        from("timer:outbox-retention?delay=60000&period=" + retentionProperties.interval().toMillis())
                .routeId("outbox-retention").routeConfigurationId("background-errors")
                .bean(retention, "purge");
    }
}
