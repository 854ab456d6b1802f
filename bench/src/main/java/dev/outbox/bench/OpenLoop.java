package dev.outbox.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load: requests leave on a fixed schedule whatever the answers do, so slow answers cannot hide
 * latency (no coordinated omission). Client latency is measured from the scheduled send time. Plain HTTP/1.1
 * (the JDK client would otherwise try an h2c upgrade on every new connection).
 */
final class OpenLoop {

    /** One second of the run: requests scheduled in it, how many failed, and their latency percentiles. */
    record Second(int second, int sent, int errors, double p50Millis, double p99Millis) {
    }

    record Result(long sent, long errors, double p50Millis, double p99Millis, double p999Millis,
                  List<Second> timeline) {
    }

    static Result run(String url, int ratePerSecond, Duration duration, int keys) {
        ExecutorService callbacks = Executors.newFixedThreadPool(2);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(callbacks).build();
        long intervalNanos = 1_000_000_000L / ratePerSecond;
        int total = (int) (ratePerSecond * duration.toSeconds());
        long[] latencies = new long[total]; // -1: failed
        List<CompletableFuture<Void>> inFlight = new ArrayList<>(total);
        long start = System.nanoTime();
        for (int i = 0; i < total; i++) {
            long scheduled = start + i * intervalNanos;
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int index = i;
            String body = "{\"topic\":\"shared-events\",\"message\":{\"n\":" + i + "},\"key\":\"key-" + (i % keys) + "\"}";
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
            inFlight.add(client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).handle((response, failure) -> {
                boolean ok = failure == null && response.statusCode() == 202;
                latencies[index] = ok ? System.nanoTime() - scheduled : -1;
                return null;
            }));
        }
        CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).join();
        callbacks.shutdown();

        List<Second> timeline = new ArrayList<>();
        for (int from = 0, second = 0; from < total; from += ratePerSecond, second++) {
            long[] slice = Arrays.copyOfRange(latencies, from, Math.min(total, from + ratePerSecond));
            timeline.add(new Second(second, slice.length, errors(slice), percentile(slice, 0.50), percentile(slice, 0.99)));
        }
        return new Result(total, errors(latencies), percentile(latencies, 0.50), percentile(latencies, 0.99),
                percentile(latencies, 0.999), timeline);
    }

    private static int errors(long[] latencies) {
        return (int) Arrays.stream(latencies).filter(l -> l < 0).count();
    }

    private static double percentile(long[] latencies, double p) {
        long[] ok = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
        if (ok.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(ok.length - 1, Math.ceil(p * ok.length) - 1);
        return ok[Math.max(0, index)] / 1e6;
    }
}
