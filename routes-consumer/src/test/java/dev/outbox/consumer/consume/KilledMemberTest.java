package dev.outbox.consumer.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;

import com.zaxxer.hikari.HikariDataSource;

import dev.outbox.consumer.ConsumerApplication;
import dev.outbox.consumer.TestRecords;
import dev.outbox.infra.testing.TestDatabase;
import dev.outbox.infra.testing.TestKafka;

/**
 * Three members of one group, each a process of its own, share six partitions under a steady load; one is
 * killed with SIGKILL mid-run. The others take its partitions over, nothing is lost, and every event's processing
 * (group-c's per-key counts) happened exactly once, because the route's writes commit or roll back with the
 * once-per-group row.
 */
class KilledMemberTest {

    private static final String TOPIC = "killed-member";
    private static final String GROUP = "group-c";
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void topic() {
        TestKafka.broker().createTopic(TOPIC, 6, Map.of());
    }

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    void losesNothingAndProcessesOnceWhenAMemberIsKilledMidRun(@TempDir Path logs) throws Exception {
        var postgres = TestDatabase.server();
        try (HikariDataSource db = new HikariDataSource()) {
            db.setJdbcUrl(postgres.jdbcUrl("outbox_db"));
            db.setUsername("outbox_user");
            db.setPassword("outbox_password");
            JdbcTemplate jdbc = new JdbcTemplate(db);
            String run = UUID.randomUUID().toString().substring(0, 8);

            Process doomed = start("consumer-k1", logs);
            Process survivor = start("consumer-k2", logs);
            Process other = start("consumer-k3", logs);
            int total = 6000;
            int keys = 20;
            for (int i = 0; i < total; i++) {
                TestRecords.publish(TOPIC, UUID.randomUUID(), run + "-" + (i % keys), "{\"i\":" + i + "}");
                if (i == total / 3) {
                    await().atMost(Duration.ofSeconds(90)).until(() -> processedOfRun(jdbc, run) > 0);
                    doomed.destroyForcibly().waitFor();
                }
            }

            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(() -> processedOfRun(jdbc, run) == total);
            assertThat(survivor.isAlive() && other.isAlive()).isTrue();
            Long counted = jdbc.queryForObject("select sum(events) from key_counts where consumer_group = ? "
                    + "and event_key like ?", Long.class, GROUP, run + "-%");
            assertThat(counted).as("each event counted exactly once").isEqualTo(total);
            assertThat(jdbc.queryForObject("select count(*) from group_outputs o join processed_events p "
                    + "on p.consumer_group = o.consumer_group and p.event_id = o.event_id "
                    + "where o.consumer_group = ? and p.event_key like ?", Integer.class, GROUP, run + "-%"))
                    .isEqualTo(total);
        }
    }

    private static long processedOfRun(JdbcTemplate jdbc, String run) {
        Long count = jdbc.queryForObject("select count(*) from processed_events where consumer_group = ? and event_key like ?",
                Long.class, GROUP, run + "-%");
        return count == null ? 0 : count;
    }

    private Process start(String serviceId, Path logs) throws IOException {
        var postgres = TestDatabase.server();
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                ConsumerApplication.class.getName(), "--server.port=0", "--SERVICE_ID=" + serviceId,
                "--KAFKA_CONSUMER_GROUP=" + GROUP, "--KAFKA_TOPICS=" + TOPIC,
                "--spring.datasource.url=" + postgres.jdbcUrl("outbox_db"),
                "--spring.datasource.username=outbox_user", "--spring.datasource.password=outbox_password",
                "--outbox.kafka.bootstrap-servers=" + TestKafka.broker().bootstrapServers(),
                "--camel.component.kafka.session-timeout-ms=6000", "--camel.component.kafka.heartbeat-interval-ms=1000",
                "--outbox.consumer.max-poll-records=200");
        File log = logs.resolve(serviceId + ".log").toFile();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log).start();
        processes.add(process);
        return process;
    }
}
