package dev.outbox.consumer.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

import dev.outbox.consumer.ConsumerTestBase;
import dev.outbox.infra.testing.ServletDispatches;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;

/** The consumer's REST routes are answered in the request's own servlet pass, found and not found alike. */
@TestPropertySource(properties = {"KAFKA_CONSUMER_GROUP=group-a", "KAFKA_TOPICS=consumer-one-pass"})
@Import(ConsumerOneServletPassTest.Recording.class)
class ConsumerOneServletPassTest extends ConsumerTestBase {

    private static final ServletDispatches DISPATCHES = new ServletDispatches("/api/*");

    @TestConfiguration
    static class Recording {
        @Bean
        FilterRegistrationBean<Filter> dispatchRecorder() {
            return DISPATCHES.registration();
        }
    }

    @Test
    void answersWithoutASecondDispatch() {
        DISPATCHES.clear();

        var stats = http.get("/api/consumer/stats");
        var missing = http.get("/api/consumer/events/" + UUID.randomUUID());

        assertThat(stats.status()).isEqualTo(200);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body()).contains("\"status\":404");
        assertThat(DISPATCHES.seen()).containsExactly(DispatcherType.REQUEST, DispatcherType.REQUEST);
    }
}
