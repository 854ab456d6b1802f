package dev.outbox.system.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The shipped dashboards draw every metric of DESIGN.md's table and the service-level figures the deployment
 * promises (HTTP errors, JVM heap and GC, Camel route throughput), and read as a dashboard should. That the
 * metrics exist in the services is DeploymentMetricsTest's part; that the JSON fits Grafana's schema is
 * scripts/validate-deployment.sh's.
 */
class DashboardTest {

    private static final Set<String> SERVICE_METRICS = Set.of("http_server_requests_seconds_count",
            "jvm_memory_used_bytes", "jvm_gc_pause_seconds_sum", "camel_exchanges_total");

    @Test
    void everyMetricOfTheDesignTableAndTheServiceFiguresIsDrawn() {
        Set<String> drawn = new LinkedHashSet<>();
        DeploymentFiles.dashboardQueries().forEach(query -> drawn.addAll(PromQl.parse(query.expression()).metrics()));

        assertThat(drawn).containsAll(DesignMetrics.METRICS.keySet()).containsAll(SERVICE_METRICS);
    }

    @Test
    void theOverviewCanBeNarrowedToServicesAndGroups() {
        JsonNode overview = DeploymentFiles.dashboard(DeploymentFiles.file("grafana/dashboards/outbox-overview.json"));
        List<String> variables = new ArrayList<>();
        overview.path("templating").path("list").forEach(variable -> variables.add(variable.path("name").asText()));

        assertThat(overview.path("title").asText()).isEqualTo("Outbox overview");
        assertThat(variables).contains("datasource", "service", "group");
        assertThat(DeploymentFiles.dashboardQueries()).anyMatch(query -> query.expression().contains("service=~\"$service\""))
                .anyMatch(query -> query.expression().contains("group=~\"$group\""));
    }

    @Test
    void everyPanelIsTitledDescribedAndQueriesTheChosenDataSource() {
        for (Path file : DeploymentFiles.dashboards()) {
            for (JsonNode panel : DeploymentFiles.panels(DeploymentFiles.dashboard(file))) {
                String title = panel.path("title").asText();
                assertThat(title).as(file + ": a panel without title").isNotBlank();
                if (panel.path("type").asText().equals("row")) {
                    continue;
                }
                assertThat(panel.path("type").asText()).as(title).isIn("timeseries", "stat", "gauge", "table", "bargauge");
                assertThat(panel.path("description").asText()).as(title + ": what it shows").isNotBlank();
                assertThat(panel.path("targets")).as(title + ": queries").isNotEmpty();
                assertThat(panel.path("datasource").path("uid").asText()).as(title).isEqualTo("${datasource}");
            }
        }
    }

    @Test
    void panelsDoNotOverlap() {
        for (Path file : DeploymentFiles.dashboards()) {
            List<JsonNode> panels = DeploymentFiles.panels(DeploymentFiles.dashboard(file));
            for (int i = 0; i < panels.size(); i++) {
                for (int j = i + 1; j < panels.size(); j++) {
                    assertThat(overlap(panels.get(i).path("gridPos"), panels.get(j).path("gridPos")))
                            .as(file.getFileName() + ": '" + panels.get(i).path("title").asText() + "' and '"
                                    + panels.get(j).path("title").asText() + "' overlap")
                            .isFalse();
                }
            }
        }
    }

    private static boolean overlap(JsonNode a, JsonNode b) {
        return a.path("x").asInt() < b.path("x").asInt() + b.path("w").asInt()
                && b.path("x").asInt() < a.path("x").asInt() + a.path("w").asInt()
                && a.path("y").asInt() < b.path("y").asInt() + b.path("h").asInt()
                && b.path("y").asInt() < a.path("y").asInt() + a.path("h").asInt();
    }
}
