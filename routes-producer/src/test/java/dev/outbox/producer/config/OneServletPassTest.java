package dev.outbox.producer.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.PlatformHttpEndpoint;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;

import dev.outbox.infra.testing.ServletDispatches;
import dev.outbox.producer.support.ProducerTestBase;
import jakarta.servlet.DispatcherType;

/**
 * The REST routes are answered in the request's own servlet pass, on the request's own thread: no async dispatch that
 * runs the filter chain and Spring MVC a second time, no hand-over to another pool.
 */
@Import(ServletDispatches.OfTheApi.class)
class OneServletPassTest extends ProducerTestBase {

    @Autowired
    ServletDispatches dispatches;

    @Autowired
    CamelContext camel;

    @Test
    void answersAcceptedAndRefusedPostsWithoutASecondDispatch() throws Exception {
        List<String> routeThreads = new CopyOnWriteArrayList<>();
        EventNotifierSupport exchangesCreated = new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (((CamelEvent.ExchangeCreatedEvent) event).getExchange().getFromEndpoint()
                        instanceof PlatformHttpEndpoint) {
                    routeThreads.add(Thread.currentThread().getName());
                }
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.ExchangeCreatedEvent;
            }
        };
        camel.getManagementStrategy().addEventNotifier(exchangesCreated);
        exchangesCreated.start();
        dispatches.clear();

        var accepted = http.postJson("/api/messages/send", "{\"topic\":\"shared-events\",\"message\":{\"n\":1}}");
        var refused = http.postJson("/api/messages/send", "{\"topic\":\"no-such-topic\",\"message\":{\"n\":1}}");
        var found = http.get("/api/messages/" + accepted.json().get("eventId").asText());

        assertThat(accepted.status()).isEqualTo(202);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.body()).contains("\"status\":422");
        assertThat(found.status()).isEqualTo(200);
        assertThat(dispatches.seen())
                .containsExactly(DispatcherType.REQUEST, DispatcherType.REQUEST, DispatcherType.REQUEST);
        assertThat(routeThreads).isEqualTo(dispatches.threads());
        camel.getManagementStrategy().removeEventNotifier(exchangesCreated);
    }
}
