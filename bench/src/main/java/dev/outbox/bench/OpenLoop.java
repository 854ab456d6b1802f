package dev.outbox.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load: requests leave on a fixed schedule whatever the answers do, so slow answers cannot hide
 * latency (no coordinated omission). Client latency is measured from the scheduled send time.
 */
final class OpenLoop {

    record Result(long sent, long errors, double p50Millis, double p99Millis, double p999Millis) {
    }

    static Result run(String url, int ratePerSecond, Duration duration, int keys) {
        HttpClient client = HttpClient.newBuilder().executor(java.util.concurrent.Executors.newFixedThreadPool(4)).build();
        long intervalNanos = 1_000_000_000L / ratePerSecond;
        long total = ratePerSecond * duration.toSeconds();
        List<CompletableFuture<Void>> inFlight = new ArrayList<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long scheduled = start + i * intervalNanos;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            String body = "{\"topic\":\"shared-events\",\"message\":{\"n\":" + i + "},\"key\":\"key-" + (i % keys) + "\"}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            inFlight.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, failure) -> {
                if (failure != null || response.statusCode() != 202) {
                    errors.incrementAndGet();
                } else {
                    latencies.add(System.nanoTime() - scheduled);
                }
                return null;
            }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new Result(total, errors.get(), percentile(sorted, 0.50), percentile(sorted, 0.99),
                percentile(sorted, 0.999));
    }

    private static double percentile(List<Long> sorted, double p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int index = (int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1);
        return sorted.get(Math.max(0, index)) / 1e6;
    }
}
