package dev.outbox.producer.publish;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.zaxxer.hikari.HikariDataSource;

import dev.outbox.infra.PostgresServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * A publisher instance of its own inside a test JVM: its own connections, Kafka producer, leases and
 * threads, as a separate producer process would have. {@link #crash()} stops it abruptly (no release, no
 * flush), {@link #close()} shuts it down gracefully.
 */
final class PublisherInstance implements AutoCloseable {

    /** No periodic check of the claim floors to hide a floor that rose too early (one check at the start). */
    private static final Duration NO_FLOOR_CHECK = Duration.ofDays(1);

    final String instanceId;
    final BucketLeases leases;
    final OutboxPublisher publisher;
    private final HikariDataSource pool;
    private final KafkaProducer<String, byte[]> producer;
    private final ScheduledExecutorService threads = Executors.newScheduledThreadPool(2);

    PublisherInstance(String instanceId, PostgresServer postgres, String bootstrapServers, int bucketCount,
                      Duration leaseTimeout) {
        this(instanceId, postgres, bootstrapServers, bucketCount, leaseTimeout,
                new OutboxPublisher.BatchLimit(200, 4 * 1024 * 1024));
    }

    PublisherInstance(String instanceId, PostgresServer postgres, String bootstrapServers, int bucketCount,
                      Duration leaseTimeout, OutboxPublisher.BatchLimit batchLimit) {
        this(instanceId, postgres, bootstrapServers, bucketCount, leaseTimeout, batchLimit, Map.of());
    }

    /** With Kafka producer settings of its own on top of the shipped ones ({@code producerSettings}). */
    PublisherInstance(String instanceId, PostgresServer postgres, String bootstrapServers, int bucketCount,
                      Duration leaseTimeout, OutboxPublisher.BatchLimit batchLimit,
                      Map<String, Object> producerSettings) {
        this.instanceId = instanceId;
        pool = new HikariDataSource();
        pool.setJdbcUrl(postgres.jdbcUrl("outbox_db"));
        pool.setUsername("outbox_user");
        pool.setPassword("outbox_password");
        pool.setMaximumPoolSize(4);
        Map<String, Object> settings = new HashMap<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1));
        settings.putAll(producerSettings);
        producer = new KafkaProducer<>(settings, new StringSerializer(), new ByteArraySerializer());
        leases = new BucketLeases(pool, instanceId, bucketCount, leaseTimeout);
        publisher = new OutboxPublisher(new OutboxRepository(pool), leases, producer,
                new PublisherMetrics(new SimpleMeterRegistry(), leases), batchLimit, 5,
                new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)), 2, NO_FLOOR_CHECK);
    }

    PublisherInstance start(Duration heartbeat) {
        threads.scheduleWithFixedDelay(this::heartbeatQuietly, 0, heartbeat.toMillis(), TimeUnit.MILLISECONDS);
        threads.scheduleWithFixedDelay(this::drainQuietly, 0, 10, TimeUnit.MILLISECONDS);
        return this;
    }

    private void heartbeatQuietly() {
        try {
            leases.heartbeat();
        } catch (RuntimeException e) {
            // as the lease route does: try again on the next tick
        }
    }

    private void drainQuietly() {
        try {
            publisher.drain();
        } catch (RuntimeException e) {
            // as the publish route does: try again on the next tick
        }
    }

    /** Like kill -9: threads stop where they are, leases are not released, buffered records are dropped. */
    void crash() {
        threads.shutdownNow();
        producer.close(Duration.ZERO);
        pool.close();
    }

    @Override
    public void close() throws InterruptedException {
        publisher.stop();
        threads.shutdown();
        threads.awaitTermination(10, TimeUnit.SECONDS);
        if (!pool.isClosed()) {
            leases.releaseAll();
            producer.close(Duration.ofSeconds(5));
            pool.close();
        }
    }
}
