package dev.outbox.producer.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.outbox.infra.testing.Http;
import dev.outbox.producer.support.ProducerTestBase;

/** DESIGN.md promise 9: bad input gets a clear problem+json naming the field, and changes nothing. */
class BadInputTest extends ProducerTestBase {

    private static final String OK = "{\"topic\":\"shared-events\",\"message\":\"m\"}";

    static Stream<Arguments> badSends() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"topic\":", 400, null),
                Arguments.of("trailing garbage", OK + "x", 400, null),
                Arguments.of("not an object", "[1,2]", 400, ""),
                Arguments.of("missing topic", "{\"message\":\"m\"}", 400, "/topic"),
                Arguments.of("blank topic", "{\"topic\":\"  \",\"message\":\"m\"}", 400, "/topic"),
                Arguments.of("topic not a string", "{\"topic\":7,\"message\":\"m\"}", 400, "/topic"),
                Arguments.of("missing message", "{\"topic\":\"shared-events\"}", 400, "/message"),
                Arguments.of("null message", "{\"topic\":\"shared-events\",\"message\":null}", 400, "/message"),
                Arguments.of("blank message", "{\"topic\":\"shared-events\",\"message\":\" \"}", 400, "/message"),
                Arguments.of("topic outside the allow-list", "{\"topic\":\"payments\",\"message\":\"m\"}", 422, "/topic"),
                Arguments.of("key over 256 characters",
                        "{\"topic\":\"shared-events\",\"message\":\"m\",\"key\":\"" + "k".repeat(257) + "\"}", 400, "/key"),
                Arguments.of("key not a string", "{\"topic\":\"shared-events\",\"message\":\"m\",\"key\":5}", 400, "/key"),
                Arguments.of("headers not an object",
                        "{\"topic\":\"shared-events\",\"message\":\"m\",\"headers\":[\"a\"]}", 400, "/headers"),
                Arguments.of("header value not a string",
                        "{\"topic\":\"shared-events\",\"message\":\"m\",\"headers\":{\"a\":1}}", 400, "/headers/a"),
                Arguments.of("header value an object",
                        "{\"topic\":\"shared-events\",\"message\":\"m\",\"headers\":{\"a\":{\"b\":\"c\"}}}", 400, "/headers/a"),
                Arguments.of("reserved header",
                        "{\"topic\":\"shared-events\",\"message\":\"m\",\"headers\":{\"outbox-event-id\":\"x\"}}", 400,
                        "/headers/outbox-event-id"),
                Arguments.of("header name with CR/LF",
                        "{\"topic\":\"shared-events\",\"message\":\"m\",\"headers\":{\"a\\r\\nb\":\"x\"}}", 400, null),
                Arguments.of("NUL in a header value",
                        "{\"topic\":\"shared-events\",\"message\":\"m\",\"headers\":{\"a\":\"x\\u0000y\"}}", 400, "/headers/a"),
                Arguments.of("unknown field", "{\"topic\":\"shared-events\",\"message\":\"m\",\"tpoic\":1}", 400, "/tpoic"),
                Arguments.of("duplicate field", "{\"topic\":\"shared-events\",\"topic\":\"x\",\"message\":\"m\"}", 400, null),
                Arguments.of("deeply nested message",
                        "{\"topic\":\"shared-events\",\"message\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}", 400, null),
                Arguments.of("empty body", "", 400, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSends")
    void refusesABadSendWithAProblemAndWritesNothing(String name, String body, int status, String pointer) {
        var answer = http.postJson("/api/messages/send", body);

        assertProblem(answer, status, pointer);
        assertNothingWritten();
    }

    static Stream<Arguments> badBatches() {
        return Stream.of(
                Arguments.of("empty batch", "[]", 400, ""),
                Arguments.of("not an array", OK, 400, ""),
                Arguments.of("one bad item among good ones", "[" + OK + ",{\"topic\":\"shared-events\"}," + OK + "]", 400,
                        "/1/message"),
                Arguments.of("item not an object", "[" + OK + ",3]", 400, "/1"),
                Arguments.of("unknown topic in one item", "[" + OK + ",{\"topic\":\"x\",\"message\":1}]", 422, "/1/topic"),
                Arguments.of("over the batch maximum", "[" + (OK + ",").repeat(1000) + OK + "]", 413, null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badBatches")
    void refusesABadBatchWholeAndWritesNothing(String name, String body, int status, String pointer) {
        var answer = http.postJson("/api/messages/batch", body);

        assertProblem(answer, status, pointer);
        assertNothingWritten();
    }

    @Test
    void refusesABodyOverTheLimitWith413() {
        String huge = "{\"topic\":\"shared-events\",\"message\":\"" + "x".repeat(1_100_000) + "\"}";

        assertProblem(http.postJson("/api/messages/send", huge), 413, null);
        assertNothingWritten();
    }

    @Test
    void refusesAChunkedBodyOverTheLimitWith413() throws Exception {
        byte[] huge = ("{\"topic\":\"shared-events\",\"message\":\"" + "x".repeat(1_100_000) + "\"}").getBytes();
        var client = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/api/messages/send"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(huge)))
                .build();

        var response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("application/problem+json"));
        assertNothingWritten();
    }

    @Test
    void refusesAContentTypeOtherThanJsonWith415() {
        assertProblem(http.post("/api/messages/send", "text/plain", OK, Map.of()), 415, null);
        assertProblem(http.post("/api/messages/send", "application/json; charset=latin1", OK, Map.of()), 415, null);
        assertProblem(http.post("/api/messages/batch", "application/xml", "[" + OK + "]", Map.of()), 415, null);
        assertNothingWritten();
    }

    @Test
    void refusesInvalidUtf8WithA400() {
        byte[] body = "{\"topic\":\"shared-events\",\"message\":\"\u00ff\"}".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

        assertProblem(http.postBytes("/api/messages/send", "application/json", body), 400, null);
        assertNothingWritten();
    }

    @Test
    void answersAMalformedEventIdWith400AndAnUnknownOneWith404() {
        assertProblem(http.get("/api/messages/not-a-uuid"), 400, "/eventId");
        assertProblem(http.get("/api/messages/'%20or%201=1%20--"), 400, "/eventId");
        assertProblem(http.get("/api/messages/..%2F..%2Fetc%2Fpasswd"), 400, null);
        assertProblem(http.get("/api/messages/0190c2a4-5b1e-7c3d-8e4f-0123456789ab"), 404, null);
    }

    @Test
    void answersUnknownPathsAndMethodsWithAProblemToo() {
        var unknown = http.get("/api/nothing-here");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.header("Content-Type")).startsWith("application/problem+json");
        var wrongMethod = http.get("/api/messages/send");
        assertThat(wrongMethod.status()).isBetween(400, 499);
        assertThat(rows("events")).isZero();
    }

    @Test
    void keepsSqlMetacharactersAsPlainData() {
        String sneaky = "'; drop table events; --";
        var answer = http.postJson("/api/messages/send",
                "{\"topic\":\"shared-events\",\"message\":\"" + sneaky + "\",\"key\":\"" + sneaky + "\"}");

        assertThat(answer.status()).isEqualTo(202);
        assertThat(jdbc.queryForObject("select event_key from events", String.class)).isEqualTo(sneaky);
    }

    private void assertProblem(Http.Answer answer, int status, String pointer) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
        var body = answer.json();
        assertThat(body.get("status").asInt()).isEqualTo(status);
        assertThat(body.get("type").asText()).isNotBlank();
        assertThat(body.get("title").asText()).isNotBlank();
        assertThat(body.get("detail").asText()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        if (pointer != null) {
            assertThat(body.get("errors").get(0).get("pointer").asText()).isEqualTo(pointer);
        }
    }

    private void assertNothingWritten() {
        assertThat(rows("events")).isZero();
        assertThat(rows("outbox")).isZero();
        assertThat(rows("idempotency_keys")).isZero();
    }
}
