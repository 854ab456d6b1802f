package dev.outbox.producer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.outbox.producer.support.ProducerTestBase;

/** DESIGN.md promise 1: a 2xx means the event and its outbox row are committed together; an error, neither. */
class AtomicAcceptTest extends ProducerTestBase {

    @AfterEach
    void dropFault() {
        jdbc.execute("drop trigger if exists fail_events_insert on events");
        jdbc.execute("drop function if exists fail_events_insert()");
    }

    @Test
    void writesNeitherRowWhenTheEventsInsertFailsAfterTheOutboxInsert() {
        installEventsFault();

        var single = http.postJson("/api/messages/send", "{\"topic\":\"shared-events\",\"message\":\"m\",\"key\":\"k\"}");
        var batch = http.postJson("/api/messages/batch",
                "[{\"topic\":\"shared-events\",\"message\":\"a\"},{\"topic\":\"shared-events\",\"message\":\"b\"}]");
        var idempotent = http.post("/api/messages/send", "application/json",
                "{\"topic\":\"shared-events\",\"message\":\"m\"}", Map.of("Idempotency-Key", "atomic-1"));

        assertThat(single.status()).isEqualTo(500);
        assertThat(single.header("Content-Type")).startsWith("application/problem+json");
        assertThat(batch.status()).isEqualTo(500);
        assertThat(idempotent.status()).isEqualTo(500);
        assertThat(rows("events")).isZero();
        assertThat(rows("outbox")).isZero();
        assertThat(rows("idempotency_keys")).isZero();
    }

    @Test
    void commitsEveryConcurrentPostExactlyOnce() throws Exception {
        int threads = 8;
        int postsPerThread = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Callable<List<String>>> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int client = t;
            clients.add(() -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < postsPerThread; i++) {
                    var answer = http.postJson("/api/messages/send", "{\"topic\":\"shared-events\",\"message\":" + i
                            + ",\"key\":\"client-" + client + "\"}");
                    assertThat(answer.status()).isEqualTo(202);
                    ids.add(answer.json().get("eventId").asText());
                }
                return ids;
            });
        }
        var ids = new HashSet<String>();
        for (Future<List<String>> result : pool.invokeAll(clients)) {
            ids.addAll(result.get());
        }
        pool.shutdown();

        assertThat(ids).hasSize(threads * postsPerThread);
        assertThat(rows("events")).isEqualTo(threads * postsPerThread);
        assertThat(rows("outbox")).isEqualTo(threads * postsPerThread);
        assertThat(jdbc.queryForObject("select count(distinct event_id) from outbox", Integer.class))
                .isEqualTo(threads * postsPerThread);
        assertThat(jdbc.queryForObject(
                "select count(*) from events e join outbox o using (event_id) where e.payload = o.payload", Integer.class))
                .isEqualTo(threads * postsPerThread);
        assertThat(jdbc.queryForObject("select count(*) from events e join outbox o on o.id = e.outbox_id "
                + "where o.event_id = e.event_id", Integer.class)).as("each event keeps its outbox id")
                .isEqualTo(threads * postsPerThread);
    }

    /** A fault the test creates in PostgreSQL itself: the events insert fails after the outbox insert ran. */
    private void installEventsFault() {
        jdbc.execute("create function fail_events_insert() returns trigger language plpgsql as "
                + "$$ begin raise exception 'events insert refused by test'; end $$");
        jdbc.execute("create trigger fail_events_insert before insert on events "
                + "for each row execute function fail_events_insert()");
    }
}
