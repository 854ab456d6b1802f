package dev.outbox.producer.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.infra.testing.Http.Answer;
import dev.outbox.producer.support.ProducerTestBase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** With OUTBOX_API_KEY set, the API needs the key (health and the OpenAPI document stay open). */
@TestPropertySource(properties = "outbox.api-key=s3cret-key")
class ApiKeyTest extends ProducerTestBase {

    private static final String EVENT = "{\"topic\":\"shared-events\",\"message\":\"m\",\"key\":\"k\"}";

    @Test
    void writesWithoutTheKeyOrWithAWrongOneAre401ProblemsAndWriteNothing() {
        for (Map<String, String> headers : java.util.List.of(Map.<String, String>of(),
                Map.of("X-API-Key", "wrong"), Map.of("X-API-Key", "s3cret-key2"), Map.of("Authorization", "Bearer s3cret"),
                Map.of("Authorization", "Basic czNjcmV0LWtleQ=="))) {
            Answer answer = http.post("/api/messages/send", "application/json", EVENT, headers);
            assertThat(answer.status()).as(headers.toString()).isEqualTo(401);
            assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
            assertThat(answer.json().path("status").asInt()).isEqualTo(401);
            Answer batch = http.post("/api/messages/batch", "application/json", "[" + EVENT + "]", headers);
            assertThat(batch.status()).isEqualTo(401);
        }
        assertThat(http.get("/api/outbox/dead-letters").status()).isEqualTo(401);
        assertThat(http.get("/api/messages/0190a3b2-0000-7000-8000-000000000000").status()).isEqualTo(401);
        assertThat(rows("events")).isZero();
        assertThat(rows("outbox")).isZero();
    }

    @Test
    void theKeyOpensTheApiAsHeaderOrBearerToken() {
        assertThat(http.post("/api/messages/send", "application/json", EVENT, Map.of("X-API-Key", "s3cret-key")).status())
                .isEqualTo(202);
        assertThat(http.post("/api/messages/send", "application/json", EVENT,
                Map.of("Authorization", "Bearer s3cret-key")).status()).isEqualTo(202);
        assertThat(http.get("/api/outbox/dead-letters", Map.of("X-API-Key", "s3cret-key")).status()).isEqualTo(200);
        assertThat(rows("outbox")).isEqualTo(2);
    }

    @Test
    void healthOpenApiAndActuatorStayOpen() {
        assertThat(http.get("/api/messages/health").status()).isEqualTo(200);
        assertThat(http.get("/api/openapi.json").status()).isEqualTo(200);
        assertThat(http.get("/actuator/health").status()).isEqualTo(200);
    }
}
