package dev.outbox.system.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** The metric and label names the deployment tests take from PromQL: nothing else, nothing missed. */
class PromQlTest {

    @Test
    void findsMetricsInsideFunctionsAndAggregationsButNotFunctionsKeywordsOrLabels() {
        PromQl.Query query = PromQl.parse("histogram_quantile(0.99, sum by (group, le) "
                + "(rate(outbox_end_to_end_latency_seconds_bucket{group=~\"$group\"}[$__rate_interval])))");

        assertThat(query.metrics()).containsExactly("outbox_end_to_end_latency_seconds_bucket");
        assertThat(query.selectors().get(0).labels()).containsExactly("group");
        assertThat(query.groupingLabels()).containsExactlyInAnyOrder("group", "le");
    }

    @Test
    void findsBothSidesOfBinaryOperatorsAndBareSelectors() {
        PromQl.Query query = PromQl.parse("max(outbox_pending_events) > 1000 and max(deriv(outbox_pending_events[10m])) > 0"
                + " or sum(outbox_buckets_owned) / on (service) group_left (instance_id) up offset 5m");

        assertThat(query.metrics()).containsExactly("outbox_pending_events", "outbox_buckets_owned", "up");
        assertThat(query.groupingLabels()).containsExactlyInAnyOrder("service", "instance_id");
    }

    @Test
    void ignoresStringsNumbersDurationsAndGrafanaVariables() {
        PromQl.Query query = PromQl.parse("sum by (service) (rate(http_server_requests_seconds_count"
                + "{status=~\"5..\", uri!=\"rate(x)\", service=~\"$service\"}[$__range])) / 1e3 > 0.05");

        assertThat(query.metrics()).containsExactly("http_server_requests_seconds_count");
        assertThat(query.selectors().get(0).labels()).isEqualTo(Set.of("status", "uri", "service"));
    }

    @Test
    void readsTheMetricOfANameMatcher() {
        assertThat(PromQl.parse("count({__name__=\"camel_exchanges_total\", routeId!=\"\"})").metrics())
                .containsExactly("camel_exchanges_total");
    }
}
