package dev.outbox.system.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.outbox.infra.FreePorts;
import dev.outbox.system.LocalStack;
import dev.outbox.system.ServiceProcess;

/**
 * The dashboards and the alert rules draw and watch what the services really expose: a producer and a consumer
 * run from their jars (as in the images) on the embedded PostgreSQL and Kafka, events flow through both, and every
 * metric the queries name, with every label they match on or group by, must be in their /actuator/prometheus.
 * The image's health check script and the environment pass-through of Kafka client settings are checked on the
 * same services.
 */
class DeploymentMetricsTest {

    /** Series Prometheus makes itself rather than scraping them from a service. */
    private static final Set<String> PROMETHEUS_OWN = Set.of("up", "ALERTS", "ALERTS_FOR_STATE",
            "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
            "scrape_series_added");
    private static final int EVENTS = 5;
    // Harmless non-default Kafka client settings through the three paths the README gives TLS/SASL settings
    // (deploy/services.env): the producer's map, camel-kafka's consumer options, the consumer's client map.
    // Client configurations are logged at start-up; the consumer logs Kafka at WARN unless told otherwise.
    private static final Map<String, String> PRODUCER_KAFKA_SETTING = Map.of("OUTBOX_KAFKA_PRODUCER_CONNECTIONS_MAX_IDLE_MS", "540001");
    private static final Map<String, String> CONSUMER_KAFKA_SETTINGS = Map.of(
            "CAMEL_COMPONENT_KAFKA_CHECKCRCS", "false",
            "OUTBOX_KAFKA_CLIENT_CONNECTIONS_MAX_IDLE_MS", "540003",
            "LOGGING_LEVEL_ORG_APACHE_KAFKA_CLIENTS_CONSUMER", "INFO",
            "LOGGING_LEVEL_ORG_APACHE_KAFKA_CLIENTS_PRODUCER", "INFO");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path directory;
    private static LocalStack stack;
    private static ServiceProcess producer;
    private static ServiceProcess consumer;
    private static Exposition exposition;

    @BeforeAll
    static void eventsFlowThroughAProducerAndAConsumer() throws Exception {
        stack = LocalStack.start(directory);
        producer = stack.producer("producer-1", PRODUCER_KAFKA_SETTING).start();
        consumer = stack.consumer("consumer-1", "group-a", CONSUMER_KAFKA_SETTINGS).start();
        producer.awaitHealthy(Duration.ofSeconds(90));
        consumer.awaitHealthy(Duration.ofSeconds(90));

        for (int i = 0; i < EVENTS; i++) {
            assertThat(post(producer, "{\"topic\":\"shared-events\",\"key\":\"k-" + i + "\",\"message\":{\"n\":" + i + "}}"))
                    .isEqualTo(202);
        }
        assertThat(post(producer, "{\"topic\":\"no-such-topic\",\"message\":\"x\"}")).isEqualTo(422);

        // after the events were persisted and the lag monitor ran once, everything the dashboards draw is there
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            Exposition consumed = Exposition.of(scrape(consumer));
            return consumed.sum("outbox_consumer_processed_total") >= EVENTS && consumed.has("outbox_consumer_lag");
        });
        exposition = Exposition.of(scrape(producer), scrape(consumer));
    }

    @AfterAll
    static void stop() throws Exception {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void everyMetricTheDashboardsDrawIsExposed() {
        assertThat(missingMetrics(DeploymentFiles.dashboardQueries())).as("dashboard queries naming metrics the services do not expose")
                .isEmpty();
    }

    @Test
    void everyMetricTheAlertRulesWatchIsExposed() {
        assertThat(missingMetrics(DeploymentFiles.alertQueries())).as("alert rules naming metrics the services do not expose")
                .isEmpty();
    }

    @Test
    void everyLabelTheQueriesMatchOrGroupByIsOnTheirMetrics() {
        List<DeploymentFiles.Query> queries = new ArrayList<>(DeploymentFiles.dashboardQueries());
        queries.addAll(DeploymentFiles.alertQueries());
        Set<String> targetLabels = DeploymentFiles.targetLabels();
        List<String> unknown = new ArrayList<>();
        for (DeploymentFiles.Query query : queries) {
            PromQl.Query parsed = PromQl.parse(query.expression());
            Set<String> available = new LinkedHashSet<>(targetLabels);
            for (PromQl.Selector selector : parsed.selectors()) {
                if (PROMETHEUS_OWN.contains(selector.metric())) {
                    continue;
                }
                available.addAll(exposition.labels(selector.metric()));
                selector.labels().stream().filter(label -> !targetLabels.contains(label)
                                && !exposition.labels(selector.metric()).contains(label))
                        .forEach(label -> unknown.add(query.origin() + ": " + selector.metric() + " has no label " + label));
            }
            Set<String> grouping = new LinkedHashSet<>(parsed.groupingLabels());
            grouping.addAll(query.groupingLabels());
            grouping.stream().filter(label -> !available.contains(label))
                    .forEach(label -> unknown.add(query.origin() + ": no metric of '" + query.expression() + "' has label " + label));
        }
        assertThat(unknown).as("labels the queries use that the services' series do not carry").isEmpty();
    }

    @Test
    void theDesignMetricsAreExposedWithTheirLabelsAndTheServiceTags() {
        DesignMetrics.METRICS.forEach((metric, labels) -> assertThat(exposition.labels(metric)).as(metric)
                .containsAll(labels).contains("service", "instance_id"));
    }

    @Test
    void theImageHealthCheckPassesOnAHealthyServiceAndFailsOtherwise() throws Exception {
        assertThat(healthCheck(port(producer), "/api/messages/health")).isZero();
        assertThat(healthCheck(port(consumer), "/api/consumer/health")).isZero();
        assertThat(healthCheck(port(producer), "/api/no-such-endpoint")).as("a 404").isNotZero();
        assertThat(healthCheck(FreePorts.find(), "/api/messages/health")).as("nothing listening").isNotZero();
    }

    @Test
    void kafkaClientSettingsPassFromTheEnvironmentToEveryKafkaClient() throws IOException {
        // the paths that carry security.protocol, sasl.* and ssl.* (README: TLS and SASL)
        assertThat(Files.readString(producer.log())).as("the publisher's producer").contains("connections.max.idle.ms = 540001");
        String consumerLog = Files.readString(consumer.log());
        assertThat(consumerLog).as("camel-kafka's consumer").contains("check.crcs = false");
        assertThat(consumerLog).as("the dead-letter producer").contains("connections.max.idle.ms = 540003");
    }

    private static List<String> missingMetrics(List<DeploymentFiles.Query> queries) {
        assertThat(queries).as("queries found").isNotEmpty();
        List<String> missing = new ArrayList<>();
        for (DeploymentFiles.Query query : queries) {
            for (String metric : PromQl.parse(query.expression()).metrics()) {
                if (!PROMETHEUS_OWN.contains(metric) && !exposition.has(metric)) {
                    missing.add(query.origin() + ": " + metric);
                }
            }
        }
        return missing;
    }

    private static int healthCheck(int port, String path) throws Exception {
        Process check = new ProcessBuilder("bash", DeploymentFiles.file("docker/healthcheck.sh").toString(),
                Integer.toString(port), path).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!check.waitFor(15, TimeUnit.SECONDS)) {
            check.destroyForcibly();
            throw new AssertionError("healthcheck.sh did not finish within 15 s");
        }
        return check.exitValue();
    }

    private static int port(ServiceProcess service) {
        return URI.create(service.baseUrl()).getPort();
    }

    private static int post(ServiceProcess service, String json) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/api/messages/send"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String scrape(ServiceProcess service) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET /actuator/prometheus of " + service.name()).isEqualTo(200);
        return response.body();
    }
}
