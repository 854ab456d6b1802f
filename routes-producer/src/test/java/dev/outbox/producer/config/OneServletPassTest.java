package dev.outbox.producer.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;

import dev.outbox.infra.testing.ServletDispatches;
import dev.outbox.producer.support.ProducerTestBase;
import jakarta.servlet.DispatcherType;

/**
 * The REST routes are answered in the request's own servlet pass: no async dispatch that runs the filter chain and
 * Spring MVC a second time.
 */
@Import(ServletDispatches.OfTheApi.class)
class OneServletPassTest extends ProducerTestBase {

    @Autowired
    ServletDispatches dispatches;

    @Test
    void answersAcceptedAndRefusedPostsWithoutASecondDispatch() {
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
    }
}
