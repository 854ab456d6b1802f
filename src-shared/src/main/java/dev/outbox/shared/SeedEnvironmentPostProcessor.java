package dev.outbox.shared;

import java.util.HashMap;
import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

/**
 * Accepts the seed's environment variables ({@code ConnectionStrings__DefaultConnection},
 * {@code ConnectionStrings__Kafka}) beside the Spring ones. They rank just below the process environment,
 * so an explicit {@code SPRING_DATASOURCE_URL} still wins, and above application.yml defaults.
 */
public class SeedEnvironmentPostProcessor implements EnvironmentPostProcessor {

    static final String DATABASE = "ConnectionStrings__DefaultConnection";
    static final String KAFKA = "ConnectionStrings__Kafka";
    static final String PRODUCER_BASE_URL = "ProducerService__BaseUrl";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> derived = new HashMap<>();
        String database = environment.getProperty(DATABASE);
        if (database != null && !database.isBlank()) {
            NpgsqlConnectionString parsed = NpgsqlConnectionString.parse(database);
            derived.put("spring.datasource.url", parsed.jdbcUrl());
            if (parsed.username() != null) {
                derived.put("spring.datasource.username", parsed.username());
            }
            if (parsed.password() != null) {
                derived.put("spring.datasource.password", parsed.password());
            }
        }
        String kafka = environment.getProperty(KAFKA);
        if (kafka != null && !kafka.isBlank()) {
            derived.put("outbox.kafka.bootstrap-servers", kafka.strip());
        }
        String producer = environment.getProperty(PRODUCER_BASE_URL);
        if (producer != null && !producer.isBlank()) {
            derived.put("outbox.producer-base-url", producer.strip());
        }
        if (derived.isEmpty()) {
            return;
        }
        MapPropertySource source = new MapPropertySource("seedEnvironment", derived);
        var sources = environment.getPropertySources();
        if (sources.contains(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME)) {
            sources.addAfter(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, source);
        } else {
            sources.addLast(source);
        }
    }
}
