package dev.outbox.producer.status;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.outbox.producer.support.ProducerTestBase;

/** Actuator shares the API port and exposes only health (with probes), info and prometheus. */
class ActuatorExposureTest extends ProducerTestBase {

    @Test
    void exposesHealthInfoAndPrometheusOnly() {
        assertThat(http.get("/actuator/health").status()).isEqualTo(200);
        assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(http.get("/actuator/info").status()).isEqualTo(200);
        for (String hidden : new String[] {"env", "beans", "configprops", "heapdump", "threaddump", "loggers",
                "mappings", "metrics", "shutdown", "camelroutes"}) {
            assertThat(http.get("/actuator/" + hidden).status()).as(hidden).isEqualTo(404);
        }
    }

    @Test
    void exportsTheAcceptedCounterWithServiceAndInstanceTags() {
        http.postJson("/api/messages/send", "{\"topic\":\"shared-events\",\"message\":\"m\"}");

        String metrics = http.get("/actuator/prometheus").body();

        assertThat(metrics).containsPattern(
                "outbox_events_accepted_total\\{[^}]*instance_id=\"producer-1-instance\"[^}]*service=\"producer-1\"[^}]*} [1-9]");
        assertThat(metrics).contains("camel_exchanges_total");
        assertThat(metrics).contains("jvm_memory_used_bytes");
        assertThat(metrics).contains("http_server_requests_seconds");
    }

    @Test
    void servesTheOpenApiDocument() {
        var doc = http.get("/api/openapi.json");

        assertThat(doc.status()).isEqualTo(200);
        assertThat(doc.json().get("paths").has("/api/messages/send")).isTrue();
        assertThat(doc.json().get("paths").has("/api/messages/batch")).isTrue();
    }
}
