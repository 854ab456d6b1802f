package dev.outbox.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A steady keyed load sent through several producers, as a careful client sends it: each key's events one after
 * another (so their commit order is their sequence number), every request with an Idempotency-Key, and a failed
 * request (connection refused or reset by a killed producer, 503) retried on the next producer until accepted. So
 * every event of the load is accepted exactly once, whatever happens to the producers.
 */
public final class KeyedLoad implements AutoCloseable {

    /** One accepted event: its key and its place in the key's sequence. */
    public record Sent(String key, int sequence) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GIVE_UP = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<Supplier<String>> producers;
    private final String topic;
    private final Map<UUID, Sent> accepted = new ConcurrentHashMap<>();
    private final AtomicLong retries = new AtomicLong();
    private final AtomicInteger nextProducer = new AtomicInteger();
    private final ExecutorService clients;
    private final List<Future<?>> running = new ArrayList<>();

    /**
     * @param producers base URLs of the producers, read at each request (a restarted producer keeps its URL)
     */
    public KeyedLoad(List<Supplier<String>> producers, String topic, int clients) {
        this.producers = List.copyOf(producers);
        this.topic = topic;
        this.clients = Executors.newFixedThreadPool(clients);
    }

    /** Starts one client per key group: each sends {@code perKey} events for each of its keys, round-robin. */
    public void start(String run, int keys, int perKey, int clientCount) {
        start(run, keys, perKey, clientCount, Duration.ZERO);
    }

    /** As {@link #start(String, int, int, int)}, each client pausing {@code pacing} between sends (a steady rate). */
    public void start(String run, int keys, int perKey, int clientCount, Duration pacing) {
        for (int client = 0; client < clientCount; client++) {
            List<String> own = new ArrayList<>();
            for (int k = client; k < keys; k += clientCount) {
                own.add(run + "-key-" + k);
            }
            running.add(clients.submit(() -> {
                for (int sequence = 0; sequence < perKey; sequence++) {
                    for (String key : own) {
                        send(key, sequence);
                        if (!pacing.isZero()) {
                            TimeUnit.NANOSECONDS.sleep(pacing.toNanos());
                        }
                    }
                }
                return null;
            }));
        }
    }

    /** Waits until every client has sent all its events; rethrows what stopped one. */
    public void awaitDone(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Future<?> client : running) {
            client.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    public Map<UUID, Sent> accepted() {
        return Map.copyOf(accepted);
    }

    public int acceptedCount() {
        return accepted.size();
    }

    /** Requests that failed and were sent again (to another producer). */
    public long retries() {
        return retries.get();
    }

    private void send(String key, int sequence) throws IOException, InterruptedException {
        String body = JSON.createObjectNode().put("topic", topic).put("key", key)
                .put("message", JSON.createObjectNode().put("sequence", sequence).toString()).toString();
        String idempotencyKey = key + "/" + sequence;
        long deadline = System.nanoTime() + GIVE_UP.toNanos();
        IOException lastFailure = null;
        while (true) {
            String producer = producers.get(Math.floorMod(nextProducer.getAndIncrement(), producers.size())).get();
            HttpRequest request = HttpRequest.newBuilder(URI.create(producer + "/api/messages/send"))
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", idempotencyKey)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    UUID eventId = UUID.fromString(JSON.readTree(response.body()).path("eventId").asText());
                    Sent previous = accepted.put(eventId, new Sent(key, sequence));
                    if (previous != null && !previous.equals(new Sent(key, sequence))) {
                        throw new IllegalStateException("event " + eventId + " accepted for two requests");
                    }
                    return;
                }
                if (response.statusCode() != 503) {
                    throw new IllegalStateException("unexpected " + response.statusCode() + ": " + response.body());
                }
            } catch (IOException e) {
                lastFailure = e;   // the producer was killed or is restarting: try the next one
            }
            retries.incrementAndGet();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no producer accepted " + idempotencyKey + " within " + GIVE_UP,
                        lastFailure);
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    @Override
    public void close() {
        clients.shutdownNow();
    }
}
