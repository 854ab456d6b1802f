package dev.outbox.system;

import com.zaxxer.hikari.HikariDataSource;
import dev.outbox.infra.FreePorts;
import dev.outbox.infra.KafkaBroker;
import dev.outbox.infra.PostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The seed's topology on embedded infrastructure, for tests: a real PostgreSQL and a KRaft broker in this JVM
 * (topic {@code shared-events}, 6 partitions), and producers and consumers started from their runnable jars
 * as processes of their own, configured through the seed's environment variables.
 */
public final class LocalStack implements AutoCloseable {

    public static final String TOPIC = "shared-events";
    /** As run-local.sh starts them: a producer's publisher holds up to two claims of 16 MB (README, Large events). */
    private static final List<String> PRODUCER_JVM = List.of("-Xmx384m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=64m");
    private static final List<String> CONSUMER_JVM = List.of("-Xmx256m", "-Xss512k", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=64m");

    private final Path directory;
    private final PostgresServer postgres;
    private final KafkaBroker kafka;
    private final HikariDataSource dataSource;
    private final List<ServiceProcess> services = new ArrayList<>();

    private LocalStack(Path directory) throws Exception {
        this.directory = directory;
        Files.createDirectories(directory.resolve("logs"));
        postgres = PostgresServer.start(directory.resolve("postgres"), FreePorts.find(), false);
        postgres.createDatabase("outbox_db", "outbox_user", "outbox_password");
        kafka = KafkaBroker.start(directory.resolve("kafka"), FreePorts.find(), FreePorts.find(), Map.of());
        kafka.createTopic(TOPIC, 6, Map.of());
        dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(postgres.jdbcUrl("outbox_db"));
        dataSource.setUsername("outbox_user");
        dataSource.setPassword("outbox_password");
        dataSource.setMaximumPoolSize(2);
    }

    public static LocalStack start(Path directory) throws Exception {
        return new LocalStack(directory);
    }

    public PostgresServer postgres() {
        return postgres;
    }

    public KafkaBroker kafka() {
        return kafka;
    }

    /** The database as the services see it (outbox_db, as outbox_user). */
    public JdbcTemplate jdbc() {
        return new JdbcTemplate(dataSource);
    }

    /**
     * A producer (not started yet). {@code settings} are extra environment variables, e.g.
     * {@code OUTBOX_PUBLISHER_LEASE_TIMEOUT=2s}.
     */
    public ServiceProcess producer(String serviceId, Map<String, String> settings) {
        Map<String, String> environment = seedEnvironment(serviceId);
        environment.putAll(settings);
        return add(serviceId, "/api/messages/health", jar("producer.jar"), PRODUCER_JVM, environment);
    }

    /** A consumer of {@code group} reading {@code shared-events} (not started yet). */
    public ServiceProcess consumer(String serviceId, String group, Map<String, String> settings) {
        Map<String, String> environment = seedEnvironment(serviceId);
        environment.put("KAFKA_CONSUMER_GROUP", group);
        environment.put("KAFKA_TOPICS", TOPIC);
        environment.putAll(settings);
        return add(serviceId, "/api/consumer/health", jar("consumer.jar"), CONSUMER_JVM, environment);
    }

    private ServiceProcess add(String serviceId, String healthPath, Path jar, List<String> jvm,
                               Map<String, String> environment) {
        int port = FreePorts.find();
        environment.put("PORT", Integer.toString(port));
        ServiceProcess service = new ServiceProcess(serviceId, port, healthPath, ServiceProcess.javaCommand(jar, jvm),
                environment, directory.resolve("logs"));
        services.add(service);
        return service;
    }

    private Map<String, String> seedEnvironment(String serviceId) {
        Map<String, String> environment = new HashMap<>();
        environment.put("SERVICE_ID", serviceId);
        environment.put("INSTANCE_ID", serviceId + "-instance");
        environment.put("ConnectionStrings__DefaultConnection", "Host=127.0.0.1;Port=" + postgres.port()
                + ";Database=outbox_db;Username=outbox_user;Password=outbox_password");
        environment.put("ConnectionStrings__Kafka", kafka.bootstrapServers());
        return environment;
    }

    private static Path jar(String property) {
        String location = System.getProperty(property);
        if (location == null || !Files.isRegularFile(Path.of(location))) {
            throw new IllegalStateException("runnable jar not found (" + property + "=" + location
                    + "): build the services first, e.g. ./mvnw verify from the repository root");
        }
        return Path.of(location);
    }

    @Override
    public void close() throws Exception {
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).stop();
        }
        dataSource.close();
        kafka.stop();
        postgres.stop();
    }
}
