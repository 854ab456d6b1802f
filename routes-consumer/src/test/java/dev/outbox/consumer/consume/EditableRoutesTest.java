package dev.outbox.consumer.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.outbox.consumer.ConsumerApplication;
import dev.outbox.consumer.TestRecords;
import dev.outbox.infra.testing.TestDatabase;
import dev.outbox.infra.testing.TestKafka;

/**
 * DESIGN.md promise 8: what each group does is a YAML route operators can change without rebuilding; two groups
 * read the same records independently; an invalid route file stops the start and names the file.
 */
class EditableRoutesTest {

    private static final String TOPIC = "editable-routes";

    @BeforeAll
    static void topic() {
        TestKafka.broker().createTopic(TOPIC, 3, Map.of());
    }

    @Test
    void twoGroupsReadTheSameRecordsAndAnEditedRouteChangesWhatOneStores(@TempDir Path routes) throws Exception {
        Files.writeString(routes.resolve("group-b.yaml"), """
                - route:
                    id: process-group-b
                    from:
                      uri: direct:process-group-b
                      steps:
                        - to:
                            uri: "sql:insert into group_outputs (consumer_group, event_id, output) values (:#group, cast(:#eventId as uuid), 'edited ' || :#key)"
                            parameters:
                              batch: true
                """);
        try (var groupA = consumer("group-a", "classpath:routes/*.yaml");
             var groupB = consumer("group-b", "file:" + routes + "/*.yaml")) {
            UUID id = UUID.randomUUID();
            TestRecords.publish(TOPIC, id, "k-1", "{\"v\":1}");

            JdbcTemplate jdbc = new JdbcTemplate(groupA.getBean(javax.sql.DataSource.class));
            await().atMost(Duration.ofSeconds(40)).until(() -> jdbc.queryForObject(
                    "select count(*) from processed_events where event_id = ?", Integer.class, id) == 2);
            assertThat(jdbc.queryForObject("select output from group_outputs where consumer_group = 'group-a' and event_id = ?",
                    String.class, id)).isEqualTo("{\"v\":1}");
            assertThat(jdbc.queryForObject("select output from group_outputs where consumer_group = 'group-b' and event_id = ?",
                    String.class, id)).isEqualTo("edited k-1");
        }
    }

    @Test
    void runsTheShippedRoutesOfGroupsBAndC() {
        try (var groupB = consumer("group-b", "classpath:routes/*.yaml");
             var groupC = consumer("group-c", "classpath:routes/*.yaml")) {
            UUID id = UUID.randomUUID();
            TestRecords.publish(TOPIC, id, "shipped-key", "{\"v\":4}");

            JdbcTemplate jdbc = new JdbcTemplate(groupB.getBean(javax.sql.DataSource.class));
            await().atMost(Duration.ofSeconds(40)).until(() -> jdbc.queryForObject(
                    "select count(*) from processed_events where event_id = ?", Integer.class, id) == 2);
            assertThat(jdbc.queryForObject("select output from group_outputs where consumer_group = 'group-b' and event_id = ?",
                    String.class, id)).isEqualTo("{\"key\" : \"shipped-key\", \"data\" : {\"v\": 4}}");
            assertThat(jdbc.queryForObject("select events from key_counts where consumer_group = 'group-c' "
                    + "and event_key = 'shipped-key'", Long.class)).isEqualTo(1L);
        }
    }

    @Test
    void rollsBackTheRoutesWritesAndTheOncePerGroupRowTogetherWhenTheRouteFails(@TempDir Path routes) throws Exception {
        TestKafka.broker().createTopic(TOPIC + ".DLT", 1, Map.of());
        Files.writeString(routes.resolve("group-f.yaml"), """
                - route:
                    id: process-group-f
                    from:
                      uri: direct:process-group-f
                      steps:
                        - marshal:
                            json: {}
                        - convertBodyTo:
                            type: String
                            charset: UTF-8
                        - to:
                            uri: sql:classpath:routes/sql/store-payload.sql
                            parameters:
                              noop: true
                        - throwException:
                            exceptionType: java.lang.IllegalStateException
                            message: the group's route failed after writing
                """);
        try (var failing = consumer("group-f", "file:" + routes + "/*.yaml")) {
            UUID id = UUID.randomUUID();
            TestRecords.publish(TOPIC, id, "k-f", "{\"v\":2}");

            await().atMost(Duration.ofSeconds(40)).until(() -> TestKafka.readAll(TOPIC + ".DLT", Integer.MAX_VALUE,
                    Duration.ofSeconds(1)).stream().anyMatch(r -> new String(r.headers().lastHeader("outbox-event-id")
                    .value()).equals(id.toString())));
            JdbcTemplate jdbc = new JdbcTemplate(failing.getBean(javax.sql.DataSource.class));
            assertThat(jdbc.queryForObject("select count(*) from processed_events where consumer_group = 'group-f' "
                    + "and event_id = ?", Integer.class, id)).isZero();
            assertThat(jdbc.queryForObject("select count(*) from group_outputs where consumer_group = 'group-f' "
                    + "and event_id = ?", Integer.class, id)).as("the route's own write rolled back too").isZero();
        }
    }

    @Test
    void redrivesDeadLettersOnceTheirCauseIsFixed(@TempDir Path routes) throws Exception {
        TestKafka.broker().createTopic(TOPIC + ".DLT", 1, Map.of());
        Files.writeString(routes.resolve("group-r.yaml"), """
                - route:
                    id: process-group-r
                    from:
                      uri: direct:process-group-r
                      steps:
                        - to:
                            uri: "sql:insert into redrive_target (event_id) values (cast(:#eventId as uuid))"
                            parameters:
                              batch: true
                """);
        try (var app = consumer("group-r", "file:" + routes + "/*.yaml")) {
            JdbcTemplate jdbc = new JdbcTemplate(app.getBean(javax.sql.DataSource.class));
            jdbc.execute("drop table if exists redrive_target");
            UUID id = UUID.randomUUID();
            TestRecords.publish(TOPIC, id, "k-r", "{\"v\":3}");
            await().atMost(Duration.ofSeconds(40)).until(() -> TestKafka.readAll(TOPIC + ".DLT", Integer.MAX_VALUE,
                    Duration.ofSeconds(1)).stream().anyMatch(r -> new String(r.headers().lastHeader("outbox-event-id")
                    .value()).equals(id.toString())));

            jdbc.execute("create table redrive_target (event_id uuid primary key)");
            var http = new dev.outbox.infra.testing.Http(app.getEnvironment().getProperty("local.server.port", Integer.class));
            var answer = http.post("/api/consumer/dead-letters/redrive", "application/json", "", Map.of());

            assertThat(answer.status()).isEqualTo(200);
            // dead letters are at-least-once (a redelivered batch parks its poison again): re-drive is idempotent
            assertThat(answer.json().get("redriven").asInt()).isPositive();
            assertThat(jdbc.queryForObject("select count(*) from redrive_target where event_id = ?", Integer.class, id))
                    .isEqualTo(1);
            assertThat(jdbc.queryForObject("select count(*) from processed_events where consumer_group = 'group-r' "
                    + "and event_id = ?", Integer.class, id)).isEqualTo(1);
            jdbc.execute("drop table redrive_target");
        }
    }

    @Test
    void refusesToStartWithAnInvalidRouteFileAndNamesIt(@TempDir Path routes) throws Exception {
        Path broken = routes.resolve("group-c.yaml");
        Files.writeString(broken, "- route:\n    from:\n      uri: direct:process-group-c\n      steps:\n        - nonsense: {}\n");

        assertThatThrownBy(() -> consumer("group-c", "file:" + routes + "/*.yaml").close())
                .satisfies(failure -> assertThat(chain(failure)).contains("group-c.yaml"));
    }

    @Test
    void refusesToStartWhenItsGroupHasNoRoute(@TempDir Path routes) throws Exception {
        Files.writeString(routes.resolve("other.yaml"), "- route:\n    from:\n      uri: direct:process-other\n"
                + "      steps:\n        - log: x\n");

        assertThatThrownBy(() -> consumer("group-z", "file:" + routes + "/*.yaml").close())
                .satisfies(failure -> assertThat(chain(failure)).contains("No processing route for consumer group 'group-z'"));
    }

    private static ConfigurableApplicationContext consumer(String group, String routes) {
        var postgres = TestDatabase.server();
        return new SpringApplicationBuilder(ConsumerApplication.class).run(
                "--server.port=0", "--KAFKA_CONSUMER_GROUP=" + group, "--KAFKA_TOPICS=" + TOPIC,
                "--SERVICE_ID=" + group + "-test", "--OUTBOX_CONSUMER_ROUTES=" + routes,
                "--spring.datasource.url=" + postgres.jdbcUrl("outbox_db"),
                "--spring.datasource.username=outbox_user", "--spring.datasource.password=outbox_password",
                "--outbox.kafka.bootstrap-servers=" + TestKafka.broker().bootstrapServers(),
                "--logging.level.root=WARN");
    }

    private static String chain(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        return text.toString();
    }
}
