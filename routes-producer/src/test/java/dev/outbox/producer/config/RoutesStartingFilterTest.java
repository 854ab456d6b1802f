package dev.outbox.producer.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.shared.camel.RoutesStartingFilter;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

/** Tomcat takes requests before Camel has started the REST routes: they get 503 + Retry-After, not a 404. */
class RoutesStartingFilterTest {

    @Test
    void answersServiceUnavailableUntilTheRoutesHaveStarted() throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            RoutesStartingFilter filter = new RoutesStartingFilter(camel);

            MockHttpServletResponse early = new MockHttpServletResponse();
            MockFilterChain notReached = new MockFilterChain();
            filter.doFilter(new MockHttpServletRequest("POST", "/api/messages/send"), early, notReached);
            assertThat(early.getStatus()).isEqualTo(503);
            assertThat(early.getContentType()).isEqualTo("application/problem+json");
            assertThat(early.getHeader("Retry-After")).isEqualTo("1");
            assertThat(early.getContentAsString()).contains("\"status\":503");
            assertThat(notReached.getRequest()).isNull();

            camel.start();
            MockHttpServletResponse later = new MockHttpServletResponse();
            MockFilterChain reached = new MockFilterChain();
            filter.doFilter(new MockHttpServletRequest("POST", "/api/messages/send"), later, reached);
            assertThat(reached.getRequest()).isNotNull();
            assertThat(later.getStatus()).isEqualTo(200);
        }
    }
}
