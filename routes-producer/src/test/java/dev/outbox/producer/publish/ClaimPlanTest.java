package dev.outbox.producer.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import dev.outbox.producer.support.ProducerTestBase;

/**
 * The claim asks whether its range holds a row over 2 KB through the partial index of such rows, also after an
 * analyze has seen a half-drained outbox: without statistics of the row size the planner took the condition to hold
 * for a third of the rows and answered with a sequential scan of the whole outbox on every claim (V7).
 */
class ClaimPlanTest extends ProducerTestBase {

    private static final int ROWS = 50_000;

    @Autowired
    PublisherProperties settings;

    @Test
    void looksForLargeRowsInTheirPartialIndexAfterAnAnalyzeOfAHalfDrainedOutbox() {
        String marker = "plan-test-" + System.nanoTime();
        try {
            jdbc.update("insert into outbox (event_id, bucket, topic, event_key, payload, accepted_at, accepted_by) "
                    + "select gen_random_uuid(), g % 64, 'shared-events', 'k' || g, '{\"n\":' || g || '}', now(), ? "
                    + "from generate_series(1, ?) g", marker, ROWS);
            long floor = jdbc.queryForObject("select min(id) + ? from outbox where accepted_by = ?", Long.class,
                    ROWS / 2, marker);
            jdbc.update("delete from outbox where accepted_by = ? and id < ?", marker, floor);
            jdbc.execute("analyze outbox");

            // the first lane's claim under the shipped settings (application.yml)
            List<Integer> lane = IntStream.range(0, 64).filter(b -> b % settings.lanes() == 0).boxed().toList();
            String plan = String.join("\n", jdbc.queryForList("explain " + OutboxRepository.CLAIM, String.class,
                    OutboxRepository.claimParameters(lane, floor, settings.batchSize(),
                            settings.maxBatchBytes().toBytes())));

            assertThat(plan).as(plan).contains("using outbox_large_idx").doesNotContain("Seq Scan");
        } finally {
            jdbc.update("delete from outbox where accepted_by = ?", marker);
        }
    }
}
