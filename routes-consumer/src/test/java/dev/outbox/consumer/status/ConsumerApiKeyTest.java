package dev.outbox.consumer.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.consumer.ConsumerTestBase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** With OUTBOX_API_KEY set, the consumer's reads and its re-drive need the key; health stays open. */
@TestPropertySource(properties = {"KAFKA_CONSUMER_GROUP=group-a", "KAFKA_TOPICS=consumer-api-key",
        "outbox.api-key=consumer-key"})
class ConsumerApiKeyTest extends ConsumerTestBase {

    @Test
    void readsAndReDriveNeedTheKey() {
        assertThat(http.get("/api/consumer/events?key=k").status()).isEqualTo(401);
        assertThat(http.get("/api/consumer/events/0190a3b2-0000-7000-8000-000000000000").status()).isEqualTo(401);
        assertThat(http.get("/api/consumer/stats").status()).isEqualTo(401);
        assertThat(http.post("/api/consumer/dead-letters/redrive", null, "", Map.of()).status()).isEqualTo(401);
        assertThat(http.get("/api/consumer/events?key=k", Map.of("X-API-Key", "consumer-key")).status()).isEqualTo(200);
        assertThat(http.get("/api/consumer/health").status()).isEqualTo(200);
    }
}
