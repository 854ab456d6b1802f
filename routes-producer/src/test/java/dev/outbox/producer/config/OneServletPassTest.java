package dev.outbox.producer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import dev.outbox.producer.support.ProducerTestBase;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;

/**
 * The REST routes are answered in the request's own servlet pass: no async dispatch that runs the filter chain and
 * Spring MVC a second time (about a fifth of the producer's CPU per request when it did).
 */
@Import(OneServletPassTest.DispatchRecorder.class)
class OneServletPassTest extends ProducerTestBase {

    private static final List<DispatcherType> DISPATCHES = new CopyOnWriteArrayList<>();

    @TestConfiguration
    static class DispatchRecorder {
        @Bean
        FilterRegistrationBean<Filter> dispatchRecorder() {
            FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
                DISPATCHES.add(request.getDispatcherType());
                chain.doFilter(request, response);
            });
            registration.addUrlPatterns("/api/*");
            registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
            return registration;
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
        assertThat(DISPATCHES).containsExactly(DispatcherType.REQUEST, DispatcherType.REQUEST, DispatcherType.REQUEST);
    }
}
