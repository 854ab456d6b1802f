package dev.outbox.producer.security;

import static dev.outbox.infra.testing.HostileInputs.urlEncoded;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outbox.infra.testing.Http;
import dev.outbox.infra.testing.HostileInputs;
import dev.outbox.producer.support.ProducerTestBase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/**
 * Hostile input at every producer endpoint, generated from a seed ({@code -Dfuzz.seed} replays a run) and hand
 * written. Every answer must be an accept or a 4xx problem, never a 5xx; a refused request writes nothing; the
 * service stays healthy. The number of inputs tried and the answers they got are printed at the end.
 */
@TestPropertySource(properties = "outbox.ingest.body-read-timeout=2s")
class HostileInputTest extends ProducerTestBase {

    /** Fixed, so that verify is repeatable; {@code -Dfuzz.seed=<n>} explores (and replays) other inputs. */
    private static final long SEED = Long.getLong("fuzz.seed", 20_261_127L);
    private static final Set<Integer> REFUSALS = Set.of(400, 404, 405, 408, 413, 415, 422, 431);
    private static final Map<Integer, AtomicInteger> ANSWERS = new TreeMap<>();
    private static final String EVENT = "{\"topic\":\"shared-events\",\"message\":\"m\",\"key\":\"k\"}";

    private final HostileInputs inputs = new HostileInputs(SEED);

    @AfterEach
    void stillHealthy() {
        assertThat(http.get("/api/messages/health").status()).as("healthy after hostile input").isEqualTo(200);
    }

    @AfterAll
    static void report() {
        int total = ANSWERS.values().stream().mapToInt(AtomicInteger::get).sum();
        System.out.printf("hostile inputs tried: %d (seed %d), answers by status: %s%n", total, SEED, ANSWERS);
    }

    @Test
    void generatedSendBodiesAreAcceptedOrRefusedWithAProblemAndNothingWritten() {
        for (int i = 0; i < 400; i++) {
            String body = inputs.sendBody();
            long before = rows("events");
            Http.Answer answer = http.post("/api/messages/send", "application/json", body, Map.of());
            assertAcceptedOrRefused(answer, before, 1, body);
        }
    }

    @Test
    void generatedBatchesAreAcceptedWholeOrRefusedWhole() {
        for (int i = 0; i < 200; i++) {
            String body = inputs.batchBody();
            long before = rows("events");
            Http.Answer answer = http.post("/api/messages/batch", "application/json", body, Map.of());
            int accepted = answer.status() == 202 ? answer.json().path("events").size() : 0;
            assertAcceptedOrRefused(answer, before, accepted, body);
        }
    }

    @Test
    void randomBytesAreRefusedWithAProblem() {
        for (int i = 0; i < 200; i++) {
            byte[] body = inputs.bytes();
            long before = rows("events");
            Http.Answer answer = http.postBytes("/api/messages/send", "application/json", body);
            assertAcceptedOrRefused(answer, before, 1, new String(body, StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void generatedPathIdsAndQueryValuesNeverCauseAServerError() {
        for (int i = 0; i < 300; i++) {
            String id = urlEncoded(inputs.pathId());
            assertRefused(http.get("/api/messages/" + id), id);
            assertRefused(http.post("/api/outbox/dead-letters/" + id + "/replay", null, "", Map.of()), id);
            String query = "/api/outbox/dead-letters?limit=" + urlEncoded(inputs.queryValue())
                    + "&after=" + urlEncoded(inputs.queryValue());
            Http.Answer list = http.get(query);
            count(list);
            assertThat(list.status()).as(query).isIn(200, 400);
        }
        assertThat(rows("events")).isZero();
    }

    @Test
    void jsonNestedTenThousandLevelsDeepIsRefused() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        for (String body : new String[] {deep,
                "{\"topic\":\"shared-events\",\"message\":" + deep + "}",
                "[{\"topic\":\"shared-events\",\"message\":" + deep + "}]"}) {
            String path = body.startsWith("[{") ? "/api/messages/batch" : "/api/messages/send";
            assertAcceptedOrRefused(http.post(path, "application/json", body, Map.of()), 0, 0, "10,000 levels");
        }
        assertThat(rows("events")).isZero();
    }

    @Test
    void manyOrHugeHttpHeadersAreRefused() throws IOException {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            many.append("X-Many-").append(i).append(": v\r\n");
        }
        assertRawRefused(post(many + ""));
        assertRawRefused(post("X-Huge: " + "h".repeat(64 * 1024) + "\r\n"));
        assertThat(rows("events")).isZero();
    }

    /**
     * Line breaks smuggled into the one HTTP header that travels on into Kafka, traceparent: whatever Tomcat
     * makes of a bare CR, a bare LF or obsolete line folding (refuse, end the line, or unfold, as RFC 9112 lets
     * a server choose), what reaches the event is a valid traceparent or none, never the smuggled text.
     */
    @Test
    void lineBreaksSmuggledIntoTraceparentNeverReachTheEvent() throws IOException {
        String trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        for (String smuggled : new String[] {trace + "\r\n X-Injected: b", trace + "\rX-Injected: b",
                trace + "\nX-Injected: b", "X\r\n " + trace}) {
            int code = rawStatus(post("traceparent: " + smuggled + "\r\n"));
            assertThat(code).as(smuggled).isIn(Set.of(202, 400));
        }
        assertThat(jdbc.queryForList("select traceparent from events", String.class))
                .allSatisfy(stored -> assertThat(stored == null || stored.equals(trace)).as(stored).isTrue());
        assertRawRefused(post("Bad Name: v\r\n"));
    }

    @Test
    void aBodyTricklingInSlowerThanTheReadTimeoutIsRefusedAndOthersAreServedMeanwhile() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) Duration.ofSeconds(30).toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/messages/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + EVENT.length() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String status = null;
            for (int i = 0; i < EVENT.length() && status == null; i++) {
                try {
                    out.write(EVENT.charAt(i));
                    out.flush();
                } catch (IOException closedAfterTheAnswer) {
                    break;   // the server answered and closed: read what it said
                }
                TimeUnit.MILLISECONDS.sleep(300);   // the slow client: one byte per 300 ms, past the 2 s budget
                if (i == 2) {
                    assertThat(http.post("/api/messages/send", "application/json", EVENT, Map.of()).status())
                            .as("another client is served while one trickles").isEqualTo(202);
                }
                if (socket.getInputStream().available() > 0) {
                    status = statusLine(socket.getInputStream());
                }
            }
            if (status == null) {
                status = statusLine(socket.getInputStream());
            }
            assertThat(status).startsWith("HTTP/1.1 408");
        }
        assertThat(rows("events")).as("only the other client's event").isEqualTo(1);
    }

    private void assertAcceptedOrRefused(Http.Answer answer, long before, int accepted, String input) {
        if (answer.status() == 202) {
            count(answer);
            assertThat(rows("events")).as("seed %d, an accepted request wrote its events: %s", SEED, input).isEqualTo(before + accepted);
            return;
        }
        assertRefused(answer, input);
        assertThat(rows("events")).as("seed %d, a refused request wrote nothing: %s", SEED, input).isEqualTo(before);
    }

    private void assertRefused(Http.Answer answer, String input) {
        count(answer);
        assertThat(answer.status()).as("seed %d, input %s: %s", SEED, input, answer.body()).isIn(REFUSALS);
        assertThat(answer.header("Content-Type")).as(answer.body()).startsWith("application/problem+json");
        assertThat(answer.json().path("status").asInt()).isEqualTo(answer.status());
        assertThat(answer.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    private void assertRawRefused(String request) throws IOException {
        assertThat(rawStatus(request)).as(request).isIn(REFUSALS);
    }

    private int rawStatus(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            int code = Integer.parseInt(statusLine(socket.getInputStream()).split(" ")[1]);
            synchronized (ANSWERS) {
                ANSWERS.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
            }
            return code;
        }
    }

    private static String post(String extraHeaders) {
        return "POST /api/messages/send HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + extraHeaders
                + "Content-Length: " + EVENT.length() + "\r\nConnection: close\r\n\r\n" + EVENT;
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.append((char) c);
        }
        return line.toString().trim();
    }


    private static void count(Http.Answer answer) {
        synchronized (ANSWERS) {
            ANSWERS.computeIfAbsent(answer.status(), c -> new AtomicInteger()).incrementAndGet();
        }
    }
}
