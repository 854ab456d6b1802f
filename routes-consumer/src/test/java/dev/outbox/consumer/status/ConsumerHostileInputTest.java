package dev.outbox.consumer.status;

import static dev.outbox.infra.testing.HostileInputs.urlEncoded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.consumer.ConsumerTestBase;
import dev.outbox.infra.testing.HostileInputs;
import dev.outbox.infra.testing.Http;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Hostile input at every consumer endpoint, generated from a seed ({@code -Dfuzz.seed} replays a run): keys,
 * limits and cursors of any shape, path ids with traversal and injection. Answers are 200 or a 4xx problem, never
 * a 5xx; nothing is written; the service stays healthy.
 */
@TestPropertySource(properties = {"KAFKA_CONSUMER_GROUP=group-a", "KAFKA_TOPICS=consumer-hostile-input"})
class ConsumerHostileInputTest extends ConsumerTestBase {

    /** Fixed, so that verify is repeatable; {@code -Dfuzz.seed=<n>} explores (and replays) other inputs. */
    private static final long SEED = Long.getLong("fuzz.seed", 20_261_127L);
    private static final Set<Integer> ANSWERS = Set.of(200, 400, 404);

    @Test
    void generatedQueriesAndPathIdsAreAnsweredWithoutAServerErrorAndWriteNothing() {
        HostileInputs inputs = new HostileInputs(SEED);
        long before = processedRows();
        int tried = 0;
        for (int i = 0; i < 150; i++) {
            String query = "/api/consumer/events?key=" + urlEncoded(inputs.queryValue()) + "&limit="
                    + urlEncoded(inputs.queryValue()) + "&after=" + urlEncoded(inputs.queryValue());
            assertAnswered(http.get(query), query);
            String path = "/api/consumer/events/" + urlEncoded(inputs.pathId());
            assertAnswered(http.get(path), path);
            String redrive = "/api/consumer/dead-letters/redrive?limit=" + urlEncoded(inputs.queryValue());
            assertAnswered(http.post(redrive, null, "", Map.of()), redrive);
            tried += 3;
        }
        assertThat(processedRows()).as("nothing written").isEqualTo(before);
        assertThat(http.get("/api/consumer/health").status()).isEqualTo(200);
        System.out.printf("consumer hostile inputs tried: %d (seed %d)%n", tried, SEED);
    }

    private static void assertAnswered(Http.Answer answer, String request) {
        assertThat(answer.status()).as("seed %d, %s: %s", SEED, request, answer.body()).isIn(ANSWERS);
        if (answer.status() != 200) {
            assertThat(answer.header("Content-Type")).as(answer.body()).startsWith("application/problem+json");
            assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    private long processedRows() {
        Long count = jdbc.queryForObject("select count(*) from processed_events", Long.class);
        return count == null ? 0 : count;
    }
}
