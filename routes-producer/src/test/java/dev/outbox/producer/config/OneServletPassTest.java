package dev.outbox.producer.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import dev.outbox.infra.testing.ServletDispatches;
import dev.outbox.producer.support.ProducerTestBase;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;

/**
 * The REST routes are answered in the request's own servlet pass: no async dispatch that runs the filter chain and
 * Spring MVC a second time.
 */
@Import(OneServletPassTest.Recording.class)
class OneServletPassTest extends ProducerTestBase {

    private static final ServletDispatches DISPATCHES = new ServletDispatches("/api/*");

    @TestConfiguration
    static class Recording {
        @Bean
        FilterRegistrationBean<Filter> dispatchRecorder() {
            return DISPATCHES.registration();
        }
    }

    @Test
    void answersAcceptedAndRefusedPostsWithoutASecondDispatch() {
        DISPATCHES.clear();

        var accepted = http.postJson("/api/messages/send", "{\"topic\":\"shared-events\",\"message\":{\"n\":1}}");
        var refused = http.postJson("/api/messages/send", "{\"topic\":\"no-such-topic\",\"message\":{\"n\":1}}");
        var found = http.get("/api/messages/" + accepted.json().get("eventId").asText());

        assertThat(accepted.status()).isEqualTo(202);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("\"status\":422");
        assertThat(found.status()).isEqualTo(200);
        assertThat(DISPATCHES.seen())
                .containsExactly(DispatcherType.REQUEST, DispatcherType.REQUEST, DispatcherType.REQUEST);
    }
}
