package dev.outbox.producer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

import dev.outbox.producer.support.ProducerTestBase;

/** A repeated POST with the same Idempotency-Key returns the first answer and writes nothing new. */
class IdempotencyTest extends ProducerTestBase {

    private static final String BODY = "{\"topic\":\"shared-events\",\"message\":{\"n\":1},\"key\":\"order-1\"}";

    @Test
    void answersARepeatedSendWithTheFirstAnswerAndWritesNothingNew() {
        var first = http.post("/api/messages/send", "application/json", BODY, Map.of("Idempotency-Key", "req-1"));
        var second = http.post("/api/messages/send", "application/json", BODY, Map.of("Idempotency-Key", "req-1"));

        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(second.header("Location")).isEqualTo(first.header("Location"));
        assertThat(rows("events")).isEqualTo(1);
        assertThat(rows("outbox")).isEqualTo(1);
    }

    @Test
    void refusesTheSameKeyWithAnotherBodyWith422() {
        http.post("/api/messages/send", "application/json", BODY, Map.of("Idempotency-Key", "req-2"));

        var other = http.post("/api/messages/send", "application/json", BODY.replace("\"n\":1", "\"n\":2"),
                Map.of("Idempotency-Key", "req-2"));

        assertThat(other.status()).isEqualTo(422);
        assertThat(other.header("Content-Type")).startsWith("application/problem+json");
        assertThat(rows("events")).isEqualTo(1);
    }

    @Test
    void appliesToBatchesToo() {
        String batch = "[" + BODY + "," + BODY + "]";
        var first = http.post("/api/messages/batch", "application/json", batch, Map.of("Idempotency-Key", "batch-1"));
        var second = http.post("/api/messages/batch", "application/json", batch, Map.of("Idempotency-Key", "batch-1"));

        assertThat(second.status()).isEqualTo(202);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(rows("events")).isEqualTo(2);
    }

    @Test
    void letsExactlyOneOfManyConcurrentTwinsWrite() throws Exception {
        var pool = Executors.newFixedThreadPool(8);
        List<Callable<String>> twins = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            twins.add(() -> {
                var answer = http.post("/api/messages/send", "application/json", BODY, Map.of("Idempotency-Key", "race"));
                assertThat(answer.status()).isEqualTo(202);
                return answer.json().get("eventId").asText();
            });
        }
        var ids = new HashSet<String>();
        for (var result : pool.invokeAll(twins)) {
            ids.add(result.get());
        }
        pool.shutdown();

        assertThat(ids).hasSize(1);
        assertThat(rows("events")).isEqualTo(1);
        assertThat(rows("outbox")).isEqualTo(1);
    }
}
