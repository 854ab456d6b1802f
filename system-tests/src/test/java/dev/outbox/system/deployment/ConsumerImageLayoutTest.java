package dev.outbox.system.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.outbox.infra.FreePorts;
import dev.outbox.system.LocalStack;
import dev.outbox.system.ServiceProcess;

/**
 * The consumer image as docker/Dockerfile lays it out (the runnable jar's Spring Boot layers extracted and stacked
 * in /opt/outbox) and as docker/entrypoint.sh starts it, with the routes folder mounted at /etc/outbox/routes as
 * docker-compose.yml mounts it; both folders are relocated into a temporary directory, the rest runs unchanged.
 * Started without SERVICE_ID/INSTANCE_ID, as an extra replica is, the consumer takes unique ids; and the SQL file an
 * operator edits in the mounted folder is the one the group's route runs.
 */
class ConsumerImageLayoutTest {

    private static final String EDITED_OUTPUT = "written by the SQL of the mounted folder";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path directory;

    @Test
    void aConsumerStartedByTheEntrypointRunsTheSqlOfTheMountedRoutesFolder() throws Exception {
        String dockerfile = DeploymentFiles.read("docker/Dockerfile");
        String consumerStage = dockerfile.substring(dockerfile.indexOf(" AS consumer"));
        Path opt = imageLayout(consumerStage);
        Path etc = mountedRoutes();
        Path entrypoint = relocatedEntrypoint(opt, etc);

        try (LocalStack stack = LocalStack.start(directory.resolve("stack"))) {
            ServiceProcess producer = stack.producer("producer-1", Map.of()).start();
            int port = FreePorts.find();
            Process consumer = start(entrypoint, consumerEnvironment(consumerStage, stack, etc, port));
            try {
                producer.awaitHealthy(Duration.ofSeconds(90));
                JsonNode health = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                        .until(() -> health(consumer, port), answer -> answer != null);

                assertThat(health.path("serviceId").asText()).as("derived from the host name").matches("consumer-.+");
                assertThat(health.path("instanceId").asText()).isEqualTo(health.path("serviceId").asText() + "-instance");
                assertThat(imageHealthCheck(consumerStage, port)).as("the image's HEALTHCHECK with the image's ENV").isZero();

                String eventId = send(producer);
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                        assertThat(stack.jdbc().queryForList("select output from group_outputs where consumer_group = 'group-a'"
                                + " and event_id = cast(? as uuid)", String.class, eventId)).containsExactly(EDITED_OUTPUT));
            } finally {
                consumer.destroy();
                if (!consumer.waitFor(30, TimeUnit.SECONDS)) {
                    consumer.destroyForcibly().waitFor();
                }
            }
        }
    }

    /** /opt/outbox: the jar extracted as the build stage does, its layers copied in the order of the COPY lines. */
    private Path imageLayout(String consumerStage) throws Exception {
        Path jar = directory.resolve("app.jar");
        Files.copy(Path.of(System.getProperty("consumer.jar")), jar);
        Path layers = directory.resolve("layers");
        run(List.of(java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--layers", "--destination", layers.toString()));

        Path opt = Files.createDirectories(directory.resolve("opt/outbox"));
        Matcher copy = Pattern.compile("(?m)^COPY --from=build /layers/consumer/([\\w-]+)/ \\./$").matcher(consumerStage);
        List<String> copied = new ArrayList<>();
        while (copy.find()) {
            copyTree(layers.resolve(copy.group(1)), opt);
            copied.add(copy.group(1));
        }
        assertThat(copied).as("layers the consumer stage copies").contains("dependencies", "application");
        assertThat(opt.resolve("app.jar")).isRegularFile();
        return opt;
    }

    /** /etc/outbox with the routes folder compose mounts, group-a's SQL edited as an operator would. */
    private Path mountedRoutes() throws IOException {
        Path etc = directory.resolve("etc/outbox");
        copyTree(DeploymentFiles.file("routes-consumer/src/main/resources/routes"), etc.resolve("routes"));
        Files.writeString(etc.resolve("routes/sql/store-payload.sql"),
                "insert into group_outputs (consumer_group, event_id, output)\n"
                        + "select e.\"group\", cast(e.\"eventId\" as uuid), '" + EDITED_OUTPUT + "'\n"
                        + "from json_to_recordset(cast(:#${body} as json)) as e(\"group\" text, \"eventId\" text)\n");
        return etc;
    }

    private Path relocatedEntrypoint(Path opt, Path etc) throws IOException {
        String script = DeploymentFiles.read("docker/entrypoint.sh");
        assertThat(script).contains("/etc/outbox", "/opt/outbox");
        Path relocated = directory.resolve("entrypoint.sh");
        Files.writeString(relocated, script.replace("/etc/outbox", etc.toString()).replace("/opt/outbox", opt.toString()));
        return relocated;
    }

    private Map<String, String> consumerEnvironment(String consumerStage, LocalStack stack, Path etc, int port) {
        return Map.of(
                "OUTBOX_SERVICE_KIND", imageEnv(consumerStage, "OUTBOX_SERVICE_KIND"),
                "OUTBOX_MAIN_CLASS", imageEnv(consumerStage, "OUTBOX_MAIN_CLASS"),
                "PORT", Integer.toString(port),
                "KAFKA_CONSUMER_GROUP", "group-a",
                "KAFKA_TOPICS", LocalStack.TOPIC,
                "OUTBOX_CONSUMER_ROUTES", "file:" + etc.resolve("routes") + "/*.yaml",
                "ConnectionStrings__DefaultConnection", "Host=127.0.0.1;Port=" + stack.postgres().port()
                        + ";Database=outbox_db;Username=outbox_user;Password=outbox_password",
                "ConnectionStrings__Kafka", stack.kafka().bootstrapServers(),
                "JAVA_OPTS", "-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    }

    private Process start(Path entrypoint, Map<String, String> environment) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("sh", entrypoint.toString()).redirectErrorStream(true)
                .redirectOutput(directory.resolve("consumer.log").toFile());
        builder.environment().remove("SERVICE_ID");
        builder.environment().remove("INSTANCE_ID");
        builder.environment().putAll(environment);
        builder.environment().put("PATH", Path.of(java()).getParent() + File.pathSeparator + System.getenv("PATH"));
        return builder.start();
    }

    private JsonNode health(Process consumer, int port) throws Exception {
        if (!consumer.isAlive()) {
            throw new AssertionError("the consumer exited: " + Files.readString(directory.resolve("consumer.log")));
        }
        try {
            HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/consumer/health"))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200 ? JSON.readTree(answer.body()) : null;
        } catch (IOException notListeningYet) {
            return null;
        }
    }

    /** docker/healthcheck.sh as HEALTHCHECK runs it: no arguments, the port and path from the environment. */
    private int imageHealthCheck(String consumerStage, int port) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", DeploymentFiles.file("docker/healthcheck.sh").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("PORT", Integer.toString(port));
        builder.environment().put("OUTBOX_HEALTH_PATH", imageEnv(consumerStage, "OUTBOX_HEALTH_PATH"));
        Process check = builder.start();
        assertThat(check.waitFor(15, TimeUnit.SECONDS)).isTrue();
        return check.exitValue();
    }

    private static String send(ServiceProcess producer) throws Exception {
        HttpResponse<String> answer = HTTP.send(HttpRequest.newBuilder(URI.create(producer.baseUrl() + "/api/messages/send"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"topic\":\"shared-events\",\"key\":\"k\",\"message\":{\"n\":1}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(202);
        return JSON.readTree(answer.body()).path("eventId").asText();
    }

    /** A value the stage sets with ENV (NAME=value). */
    private static String imageEnv(String stage, String name) {
        Matcher value = Pattern.compile("\\b" + name + "=(\\S+)").matcher(stage);
        assertThat(value.find()).as("ENV " + name + " in the consumer stage").isTrue();
        return value.group(1);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void run(List<String> command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(directory.resolve("extract.log").toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + Files.readString(directory.resolve("extract.log")))
                .isZero();
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> paths = Files.walk(source)) {
            paths.forEach(path -> {
                try {
                    Path destination = target.resolve(source.relativize(path).toString());
                    if (Files.isDirectory(path)) {
                        Files.createDirectories(destination);
                    } else {
                        Files.copy(path, destination, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
