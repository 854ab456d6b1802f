package dev.outbox.consumer.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

import dev.outbox.consumer.ConsumerTestBase;
import dev.outbox.infra.testing.ServletDispatches;
import jakarta.servlet.DispatcherType;

/** The consumer's REST routes are answered in the request's own servlet pass, found and not found alike. */
@TestPropertySource(properties = {"KAFKA_CONSUMER_GROUP=group-a", "KAFKA_TOPICS=consumer-one-pass"})
@Import(ServletDispatches.OfTheApi.class)
class ConsumerOneServletPassTest extends ConsumerTestBase {

    @Autowired
    ServletDispatches dispatches;

    @Test
    void answersWithoutASecondDispatch() {
        dispatches.clear();

        var stats = http.get("/api/consumer/stats");
        var missing = http.get("/api/consumer/events/" + UUID.randomUUID());

        assertThat(stats.status()).isEqualTo(200);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).contains("\"status\":404");
        assertThat(dispatches.seen()).containsExactly(DispatcherType.REQUEST, DispatcherType.REQUEST);
    }
}
