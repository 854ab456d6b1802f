package dev.outbox.producer.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.outbox.producer.support.ProducerTestBase;
import dev.outbox.infra.testing.TestDatabase;

/**
 * PostgreSQL down: a 503 with Retry-After within a bounded wait; back up: 202 again, no restart needed. An instance
 * frozen mid-transaction holds its locks (idempotency keys) for a bounded time only.
 */
class DatabaseOutageTest extends ProducerTestBase {

    private static final String BODY = "{\"topic\":\"shared-events\",\"message\":\"m\"}";

    @Test
    void answers503WithinBoundedTimeWhileTheDatabaseIsDownAndRecoversWithoutRestart() {
        assertThat(http.postJson("/api/messages/send", BODY).status()).isEqualTo(202);

        var server = TestDatabase.server();
        server.stop();
        try {
            long started = System.nanoTime();
            var down = http.postJson("/api/messages/send", BODY);
            Duration waited = Duration.ofNanos(System.nanoTime() - started);

            assertThat(down.status()).isEqualTo(503);
            assertThat(down.header("Retry-After")).isNotBlank();
            assertThat(down.header("Content-Type")).startsWith("application/problem+json");
            assertThat(waited).isLessThan(Duration.ofSeconds(10));
            var health = http.get("/api/messages/health");
            assertThat(health.status()).isEqualTo(503);
            assertThat(health.json().get("status").asText()).isEqualTo("DOWN");
        } finally {
            server.start();
        }

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> http.postJson("/api/messages/send", BODY).status() == 202);
        assertThat(http.get("/api/messages/health").status()).isEqualTo(200);
    }

    @Test
    void itsConnectionsHavePostgresqlEndATransactionLeftIdleFor30Seconds() {
        assertThat(jdbc.queryForObject("show idle_in_transaction_session_timeout", String.class)).isEqualTo("30s");
    }
}
