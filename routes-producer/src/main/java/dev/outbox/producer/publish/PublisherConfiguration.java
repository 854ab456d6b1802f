package dev.outbox.producer.publish;

import java.util.HashMap;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.camel.ProducerTemplate;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.autoconfigure.jdbc.DataSourceProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.zaxxer.hikari.HikariDataSource;

import dev.outbox.producer.config.OutboxProperties;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Wires the publisher: its own small connection pool (so ingest load cannot starve lease renewals), the Kafka
 * producer (acks=all, idempotent) and admin client, and the plain classes the publisher routes call.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({PublisherProperties.class, PublisherProperties.Kafka.class,
        RetentionProperties.class})
public class PublisherConfiguration {

    /** The publisher's connections: publish loop, lease heartbeat, backlog and retention timers. */
    public record PublisherDatabase(HikariDataSource dataSource) implements AutoCloseable {
        @Override
        public void close() {
            dataSource.close();
        }
    }

    @Bean(destroyMethod = "close")
    PublisherDatabase publisherDatabase(DataSourceProperties properties, PublisherProperties publisher) {
        HikariDataSource pool = properties.initializeDataSourceBuilder().type(HikariDataSource.class).build();
        pool.setPoolName("publisher");
        pool.setMaximumPoolSize(publisher.lanes() + 2);
        pool.setMinimumIdle(1);
        pool.setConnectionTimeout(2000);
        pool.addDataSourceProperty("connectTimeout", "2");
        pool.addDataSourceProperty("socketTimeout", "30");
        pool.addDataSourceProperty("tcpKeepAlive", "true");
        return new PublisherDatabase(pool);
    }

    static Map<String, Object> clientConfig(PublisherProperties.Kafka kafka) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        if (kafka.producer() != null) {
            config.putAll(kafka.producer());
        }
        return config;
    }

    @Bean(destroyMethod = "close")
    Producer<String, byte[]> outboxKafkaProducer(PublisherProperties.Kafka kafka, OutboxProperties outbox) {
        Map<String, Object> config = clientConfig(kafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, (int) kafka.maxRequestSize().toBytes());
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, outbox.instanceId() + "-publisher");
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    @Bean(destroyMethod = "close")
    Admin outboxKafkaAdmin(PublisherProperties.Kafka kafka) {
        Map<String, Object> config = new HashMap<>();
        clientConfig(kafka).forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                config.put(key, value);
            }
        });
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        return Admin.create(config);
    }

    @Bean(destroyMethod = "releaseAll")
    BucketLeases bucketLeases(PublisherDatabase database, OutboxProperties outbox, KeyBuckets buckets,
                              PublisherProperties publisher) {
        return new BucketLeases(database.dataSource(), outbox.instanceId(), buckets.count(), publisher.leaseTimeout());
    }

    @Bean
    OutboxRepository outboxRepository(PublisherDatabase database) {
        return new OutboxRepository(database.dataSource());
    }

    @Bean
    PublisherMetrics publisherMetrics(MeterRegistry registry, BucketLeases leases) {
        return new PublisherMetrics(registry, leases);
    }

    @Bean(destroyMethod = "stop")
    OutboxPublisher outboxPublisher(OutboxRepository repository, BucketLeases leases, Producer<String, byte[]> producer,
                                    PublisherMetrics metrics, PublisherProperties publisher) {
        var batchLimit = new OutboxPublisher.BatchLimit(publisher.batchSize(), publisher.maxBatchBytes().toBytes());
        return new OutboxPublisher(repository, leases, producer, metrics, batchLimit, publisher.maxAttempts(),
                new Backoff(publisher.initialBackoff(), publisher.maxBackoff()), publisher.lanes());
    }

    @Bean(destroyMethod = "close")
    OutboxWakeups outboxWakeups(DataSource ingestDataSource, BucketLeases leases, ProducerTemplate template,
                                DataSourceProperties properties, PublisherProperties publisher) {
        var listen = new OutboxWakeups.ListenConnection(properties.determineUrl(), properties.determineUsername(),
                properties.determinePassword());
        return new OutboxWakeups(ingestDataSource, leases, template, listen, publisher.heartbeat());
    }

    @Bean
    BacklogMonitor backlogMonitor(PublisherDatabase database, MeterRegistry registry) {
        return new BacklogMonitor(database.dataSource(), registry);
    }

    @Bean
    TopicInitializer topicInitializer(Admin admin, OutboxProperties outbox, PublisherProperties publisher) {
        return new TopicInitializer(admin, outbox.topics().allowed(), publisher.topic());
    }

    @Bean
    RetentionJob retentionJob(PublisherDatabase database, RetentionProperties retention) {
        return new RetentionJob(database.dataSource(), retention.events(), retention.deadLetters(),
                retention.batchSize(), retention.maxBatchesPerRun());
    }
}
