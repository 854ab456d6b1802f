package dev.outbox.system.deployment;

import static dev.outbox.system.deployment.DeploymentFiles.environment;
import static dev.outbox.system.deployment.DeploymentFiles.service;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * docker-compose.yml (read as Compose reads it, with .env) keeps the seed's topology, ports and environment
 * variables, starts the services in order with health checks, keeps data in named volumes, and agrees with the
 * files beside it: Prometheus' targets, the consumers' route folder, the Dockerfile, PostgreSQL's connection limit.
 */
class ComposeTopologyTest {

    record Instance(String service, String serviceId, int port, String group) {
    }

    private static final List<Instance> PRODUCERS = List.of(new Instance("producer1", "producer-1", 5301, null),
            new Instance("producer2", "producer-2", 5302, null), new Instance("producer3", "producer-3", 5303, null));
    private static final List<Instance> CONSUMERS = List.of(new Instance("consumer1", "consumer-1", 5401, "group-a"),
            new Instance("consumer2", "consumer-2", 5402, "group-a"), new Instance("consumer3", "consumer-3", 5403, "group-a"),
            new Instance("consumer4", "consumer-4", 5404, "group-b"), new Instance("consumer5", "consumer-5", 5405, "group-b"),
            new Instance("consumer6", "consumer-6", 5406, "group-c"));
    private static final Pattern NPGSQL = Pattern.compile(
            "Host=postgres;Port=5432;Database=([^;]+);Username=([^;]+);Password=([^;]+)");
    private static final Pattern ROUTE_SQL = Pattern.compile("sql:classpath:(routes/sql/[^\\s?]+\\.sql)");
    // superuser_reserved_connections (3) plus pgAdmin and operators' sessions
    private static final int RESERVED_CONNECTIONS = 3 + 10;

    private final Map<String, Object> compose = DeploymentFiles.compose();

    @Test
    void runsTheSeedTopologyBesideItsInfrastructure() {
        assertThat(services()).contains("postgres", "kafka", "kafka-init", "kafka-ui", "pgadmin", "prometheus", "grafana",
                        "producer1", "producer2", "producer3",
                        "consumer1", "consumer2", "consumer3", "consumer4", "consumer5", "consumer6")
                .noneMatch(name -> name.contains("zookeeper"));
        assertThat(image("postgres")).startsWith("postgres:17");
        assertThat(image("kafka")).startsWith("apache/kafka:");
        assertThat(image("kafka-ui")).contains("kafbat/kafka-ui:");
        assertThat(image("pgadmin")).startsWith("dpage/pgadmin4:");
        assertThat(image("prometheus")).startsWith("prom/prometheus:");
        assertThat(image("grafana")).startsWith("grafana/grafana:");
    }

    @Test
    void producersAndConsumersAreConfiguredThroughTheSeedsVariables() {
        Map<String, String> database = environment(service(compose, "postgres"));
        for (Instance instance : instances()) {
            Map<String, String> environment = environment(service(compose, instance.service()));
            assertThat(environment).as(instance.service())
                    .containsEntry("SERVICE_ID", instance.serviceId())
                    .containsEntry("INSTANCE_ID", instance.serviceId() + "-instance")
                    .containsEntry("ConnectionStrings__Kafka", "kafka:9094")
                    .containsEntry("PORT", Integer.toString(instance.port()));
            Matcher connection = NPGSQL.matcher(environment.get("ConnectionStrings__DefaultConnection"));
            assertThat(connection.matches()).as(instance.service() + ": the seed's Npgsql connection string").isTrue();
            assertThat(List.of(connection.group(1), connection.group(2), connection.group(3))).as(instance.service())
                    .containsExactly(database.get("POSTGRES_DB"), database.get("POSTGRES_USER"), database.get("POSTGRES_PASSWORD"));
        }
        for (Instance consumer : CONSUMERS) {
            assertThat(environment(service(compose, consumer.service()))).as(consumer.service())
                    .containsEntry("KAFKA_CONSUMER_GROUP", consumer.group())
                    .containsEntry("KAFKA_TOPICS", "shared-events")
                    .containsEntry("ProducerService__BaseUrl", "http://producer1:5301");
        }
    }

    @Test
    void publishesTheSeedsPortsOnTheHost() {
        for (Instance instance : instances()) {
            assertThat(publishedPorts(instance.service())).as(instance.service())
                    .containsEntry(instance.port(), instance.port());
        }
        assertThat(publishedPorts("kafka-ui")).containsEntry(8080, 8080);
        assertThat(publishedPorts("pgadmin")).containsEntry(8082, 80);
        assertThat(publishedPorts("prometheus")).containsEntry(9090, 9090);
        assertThat(publishedPorts("grafana")).containsEntry(3000, 3000);
        assertThat(publishedPorts("postgres")).containsEntry(5432, 5432);
        assertThat(publishedPorts("kafka")).containsEntry(9092, 9092);
    }

    @Test
    void kafkaRunsInKraftModeWithTheSeedsInternalListenerAndAHostListener() {
        Map<String, String> kafka = environment(service(compose, "kafka"));

        assertThat(kafka.get("KAFKA_PROCESS_ROLES")).contains("broker", "controller");
        assertThat(kafka.get("KAFKA_ADVERTISED_LISTENERS")).contains("//kafka:9094", "//localhost:9092");
        assertThat(kafka.get("KAFKA_LOG_DIRS")).isEqualTo("/var/lib/kafka/data");
        assertThat(String.join(" ", strings(service(compose, "kafka-init").get("command"))))
                .contains("--create", "--topic shared-events", "--partitions 6");
        for (Instance producer : PRODUCERS) {
            assertThat(environment(service(compose, producer.service())))
                    .containsEntry("OUTBOX_PUBLISHER_TOPIC_PARTITIONS", "6");
        }
    }

    @Test
    void servicesStartInOrderRestartAndReportTheirHealth() {
        for (String name : services()) {
            Map<String, Object> service = service(compose, name);
            if (name.equals("kafka-init")) {
                assertThat(service.get("restart")).isEqualTo("no");
                assertThat(dependsOn(service)).containsEntry("kafka", "service_healthy");
                continue;
            }
            assertThat(service).as(name + ": health check").containsKey("healthcheck");
            assertThat(strings(((Map<?, ?>) service.get("healthcheck")).get("test"))).as(name).isNotEmpty();
            assertThat(service.get("restart")).as(name + ": restart policy").isEqualTo("unless-stopped");
        }
        for (Instance instance : instances()) {
            assertThat(dependsOn(service(compose, instance.service()))).as(instance.service())
                    .containsEntry("postgres", "service_healthy")
                    .containsEntry("kafka-init", "service_completed_successfully");
        }
        assertThat(dependsOn(service(compose, "grafana"))).containsEntry("prometheus", "service_healthy");
        assertThat(dependsOn(service(compose, "kafka-ui"))).containsEntry("kafka", "service_healthy");
        assertThat(dependsOn(service(compose, "pgadmin"))).containsEntry("postgres", "service_healthy");
    }

    @Test
    void dataLivesInNamedVolumes() {
        assertThat(((Map<?, ?>) compose.get("volumes")).keySet().stream().map(String::valueOf).toList())
                .contains("postgres-data", "kafka-data", "prometheus-data", "grafana-data", "pgadmin-data");
        assertThat(strings(service(compose, "postgres").get("volumes"))).contains("postgres-data:/var/lib/postgresql/data");
        assertThat(strings(service(compose, "kafka").get("volumes"))).contains("kafka-data:/var/lib/kafka/data");
        assertThat(strings(service(compose, "prometheus").get("volumes"))).contains("prometheus-data:/prometheus");
        assertThat(strings(service(compose, "grafana").get("volumes"))).contains("grafana-data:/var/lib/grafana");
    }

    @Test
    void consumersReadTheirGroupsRoutesAndSqlFromTheMountedFolder() throws IOException {
        for (Instance consumer : CONSUMERS) {
            Map<String, Object> service = service(compose, consumer.service());
            assertThat(environment(service)).containsEntry("OUTBOX_CONSUMER_ROUTES", "file:/etc/outbox/routes/*.yaml");
            Path routes = mountSource(service, "/etc/outbox/routes");
            String route = Files.readString(routes.resolve(consumer.group() + ".yaml"));
            assertThat(route).as(consumer.service()).contains("direct:process-" + consumer.group());
        }
        // the shipped routes name their SQL on the class path; the image puts /etc/outbox first on it, so the
        // mounted folder's sql/ must hold every file they name
        Path routes = mountSource(service(compose, "consumer1"), "/etc/outbox/routes");
        try (Stream<Path> files = Files.list(routes)) {
            for (Path yaml : files.filter(file -> file.toString().endsWith(".yaml")).toList()) {
                Matcher sql = ROUTE_SQL.matcher(Files.readString(yaml));
                while (sql.find()) {
                    assertThat(routes.getParent().resolve(sql.group(1))).as(yaml.getFileName() + " names " + sql.group(1))
                            .isRegularFile();
                }
            }
        }
        assertThat(DeploymentFiles.read("docker/entrypoint.sh")).contains("-cp \"/etc/outbox:/opt/outbox/app.jar\"");
    }

    @Test
    @SuppressWarnings("unchecked")
    void prometheusScrapesEveryInstanceLabelledWithItsServiceId() {
        Map<String, Map<String, Object>> targets = new HashMap<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) DeploymentFiles.prometheusConfig().get("scrape_configs")) {
            for (Map<String, Object> group : (List<Map<String, Object>>) job.getOrDefault("static_configs", List.of())) {
                for (String target : (List<String>) group.get("targets")) {
                    Map<String, Object> labels = new HashMap<>((Map<String, Object>) group.getOrDefault("labels", Map.of()));
                    labels.put("metrics_path", job.get("metrics_path"));
                    targets.put(target, labels);
                }
            }
            for (Map<String, Object> dns : (List<Map<String, Object>>) job.getOrDefault("dns_sd_configs", List.of())) {
                assertThat(services()).as("DNS names of " + job.get("job_name")).containsAll((List<String>) dns.get("names"));
            }
        }
        for (Instance instance : instances()) {
            Map<String, Object> labels = targets.get(instance.service() + ":" + instance.port());
            assertThat(labels).as("scrape target " + instance.service() + ":" + instance.port()).isNotNull()
                    .containsEntry("service", instance.serviceId())
                    .containsEntry("metrics_path", "/actuator/prometheus");
            if (instance.group() != null) {
                assertThat(labels).containsEntry("group", instance.group());
            }
        }
    }

    @Test
    void pgAdminRegistersTheOutboxDatabase() throws IOException {
        Map<String, String> database = environment(service(compose, "postgres"));
        assertThat(strings(service(compose, "pgadmin").get("volumes")))
                .contains("./deploy/pgadmin/servers.json:/pgadmin4/servers.json:ro");
        JsonNode server = new ObjectMapper().readTree(DeploymentFiles.file("deploy/pgadmin/servers.json").toFile())
                .path("Servers").elements().next();

        assertThat(server.path("Host").asText()).isEqualTo("postgres");
        assertThat(server.path("Port").asInt()).isEqualTo(5432);
        assertThat(server.path("MaintenanceDB").asText()).as("servers.json follows .env").isEqualTo(database.get("POSTGRES_DB"));
        assertThat(server.path("Username").asText()).as("servers.json follows .env").isEqualTo(database.get("POSTGRES_USER"));
    }

    @Test
    void connectionPoolsLeaveRoomInPostgresMaxConnections() {
        int producerPools = 0;
        for (Instance producer : PRODUCERS) {
            Map<String, String> environment = environment(service(compose, producer.service()));
            // the API pool, the publisher's own pool of lanes + 2, and its LISTEN connection (PublisherConfiguration)
            producerPools += Integer.parseInt(environment.get("OUTBOX_DB_POOL_SIZE"))
                    + Integer.parseInt(environment.get("OUTBOX_PUBLISHER_LANES")) + 2 + 1;
        }
        int consumerPools = 0;
        for (Instance consumer : CONSUMERS) {
            consumerPools += Integer.parseInt(environment(service(compose, consumer.service())).get("OUTBOX_DB_POOL_SIZE"));
        }
        int oneExtraOfEach = producerPools / PRODUCERS.size() + 3 * (consumerPools / CONSUMERS.size());
        Matcher maxConnections = Pattern.compile("max_connections=(\\d+)")
                .matcher(String.join(" ", strings(service(compose, "postgres").get("command"))));
        assertThat(maxConnections.find()).as("postgres command sets max_connections").isTrue();

        assertThat(producerPools + consumerPools + oneExtraOfEach + RESERVED_CONNECTIONS)
                .as("nine services' pools, one extra producer and consumer per group, reserved and operator sessions")
                .isLessThanOrEqualTo(Integer.parseInt(maxConnections.group(1)));
    }

    @Test
    void noCredentialIsWrittenIntoTheComposeFileOrTheImages() {
        String raw = DeploymentFiles.read("docker-compose.yml");
        Matcher assignments = Pattern.compile("(?m)^\\s*([A-Z_]*(PASSWORD|SECRET)):\\s*(.*)$").matcher(raw);
        while (assignments.find()) {
            assertThat(assignments.group(3)).as(assignments.group(1)).startsWith("${");
        }
        assertThat(raw).contains("Password=${POSTGRES_PASSWORD");
        assertThat(DeploymentFiles.read("docker/Dockerfile")).doesNotContainPattern("(?im)^(ENV|ARG)\\b.*(password|secret)");
        assertThat(DeploymentFiles.read(".dockerignore").lines()).as("the build context leaves .env out").contains(".env");
    }

    @Test
    void eachServiceTypeHasItsImageRunningAsANonRootUserWithAHealthCheck() {
        String dockerfile = DeploymentFiles.read("docker/Dockerfile");
        assertThat(dockerfile).containsPattern("(?m)^FROM .+ AS producer$").containsPattern("(?m)^FROM .+ AS consumer$")
                .containsPattern("(?m)^HEALTHCHECK .*healthcheck\\.sh")
                .containsPattern("(?m)^COPY .*docker/healthcheck\\.sh");
        Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
        assertThat(user.find()).as("a USER instruction").isTrue();
        assertThat(user.group(1)).doesNotStartWith("root").doesNotStartWith("0");
        for (Instance instance : instances()) {
            Map<?, ?> build = (Map<?, ?>) service(compose, instance.service()).get("build");
            assertThat(build.get("dockerfile")).isEqualTo("docker/Dockerfile");
            assertThat(build.get("target")).isEqualTo(instance.group() == null ? "producer" : "consumer");
            assertThat(strings(((Map<?, ?>) service(compose, instance.service()).get("healthcheck")).get("test")))
                    .contains("/usr/local/bin/healthcheck.sh");
        }
        assertThat(Files.isExecutable(DeploymentFiles.file("docker/healthcheck.sh"))).isTrue();
        assertThat(Files.isExecutable(DeploymentFiles.file("docker/entrypoint.sh"))).isTrue();
    }

    private List<Instance> instances() {
        List<Instance> instances = new ArrayList<>(PRODUCERS);
        instances.addAll(CONSUMERS);
        return instances;
    }

    @SuppressWarnings("unchecked")
    private Set<String> services() {
        return ((Map<String, Object>) compose.get("services")).keySet();
    }

    private String image(String service) {
        return String.valueOf(service(compose, service).get("image"));
    }

    /** host port -> container port of "address:host:container" entries. */
    private Map<Integer, Integer> publishedPorts(String service) {
        Map<Integer, Integer> ports = new HashMap<>();
        for (String entry : strings(service(compose, service).get("ports"))) {
            String[] parts = entry.split(":");
            ports.put(Integer.parseInt(parts[parts.length - 2]), Integer.parseInt(parts[parts.length - 1].split("/")[0]));
        }
        return ports;
    }

    private static Map<String, String> dependsOn(Map<String, Object> service) {
        Map<String, String> conditions = new HashMap<>();
        ((Map<?, ?>) service.getOrDefault("depends_on", Map.of())).forEach((name, condition) ->
                conditions.put(String.valueOf(name), String.valueOf(((Map<?, ?>) condition).get("condition"))));
        return conditions;
    }

    /** The host folder mounted at {@code target}, resolved against the repository root. */
    private static Path mountSource(Map<String, Object> service, String target) {
        for (String volume : strings(service.get("volumes"))) {
            String[] parts = volume.split(":");
            if (parts[1].equals(target)) {
                Path source = DeploymentFiles.root().resolve(parts[0]).normalize();
                assertThat(source).as("mount source of " + target).isDirectory();
                return source;
            }
        }
        throw new AssertionError("nothing mounted at " + target);
    }

    private static List<String> strings(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).toList();
        }
        return value == null ? List.of() : List.of(String.valueOf(value));
    }
}
