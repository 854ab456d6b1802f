package dev.outbox.consumer.config;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.outbox.consumer.consume.ConsumerMetrics;
import dev.outbox.consumer.consume.DeadLetterRedrive;
import dev.outbox.consumer.consume.DeadLetters;
import dev.outbox.consumer.consume.EventProcessor;
import dev.outbox.consumer.consume.LagMonitor;
import dev.outbox.consumer.consume.ProcessedRetention;
import io.micrometer.core.instrument.MeterRegistry;

/** Wires the consumer's Kafka clients (dead-letter producer, admin for lag and health) and plain classes. */
@Configuration(proxyBeanMethods = false)
public class ConsumerConfiguration {

    static Map<String, Object> clientConfig(ConsumerProperties properties) {
        Map<String, Object> config = new HashMap<>();
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers());
        if (properties.kafka().client() != null) {
            config.putAll(properties.kafka().client());
        }
        return config;
    }

    @Bean(destroyMethod = "close")
    Producer<String, byte[]> deadLetterProducer(ConsumerProperties properties) {
        Map<String, Object> config = clientConfig(properties);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, properties.instanceId() + "-dlt");
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    @Bean(destroyMethod = "close")
    Admin consumerAdmin(ConsumerProperties properties) {
        Map<String, Object> config = new HashMap<>();
        clientConfig(properties).forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                config.put(key, value);
            }
        });
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        return Admin.create(config);
    }

    @Bean
    DeadLetters deadLetters(Producer<String, byte[]> deadLetterProducer, ConsumerProperties properties) {
        return new DeadLetters(deadLetterProducer, properties.consumer().deadLetterSuffix());
    }

    @Bean
    ConsumerMetrics consumerMetrics(MeterRegistry registry, ConsumerProperties properties) {
        return new ConsumerMetrics(registry, properties.consumer().group());
    }

    @Bean
    LagMonitor lagMonitor(Admin consumerAdmin, ConsumerProperties properties, ConsumerMetrics metrics) {
        return new LagMonitor(consumerAdmin, properties.consumer().group(), properties.consumer().topics(), metrics);
    }

    @Bean
    DeadLetterRedrive deadLetterRedrive(EventProcessor processor, ConsumerProperties properties, DeadLetters deadLetters) {
        return new DeadLetterRedrive(processor, clientConfig(properties), properties.consumer().group(),
                properties.consumer().topics().stream().map(deadLetters::topicFor).toList());
    }

    @Bean
    ProcessedRetention processedRetention(JdbcTemplate jdbc, ConsumerProperties properties) {
        return new ProcessedRetention(jdbc, properties.consumer().group(), properties.consumer().retention(),
                properties.consumer().retentionBatchSize());
    }
}
