package dev.outbox.system.deployment;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * DESIGN.md's metric table ("dashboards and alerts depend on them") as the Prometheus exposition names them
 * (counters with {@code _total}, histograms by their {@code _bucket} series), with the labels the table promises.
 */
final class DesignMetrics {

    static final Map<String, Set<String>> METRICS = table();

    private DesignMetrics() {
    }

    private static Map<String, Set<String>> table() {
        Map<String, Set<String>> metrics = new LinkedHashMap<>();
        metrics.put("outbox_events_accepted_total", Set.of());
        metrics.put("outbox_events_published_total", Set.of());
        metrics.put("outbox_publish_failures_total", Set.of("reason"));
        metrics.put("outbox_dead_letters_total", Set.of());
        metrics.put("outbox_pending_events", Set.of());
        metrics.put("outbox_oldest_pending_age_seconds", Set.of());
        metrics.put("outbox_publish_latency_seconds_bucket", Set.of("le"));
        metrics.put("outbox_buckets_owned", Set.of());
        metrics.put("outbox_consumer_processed_total", Set.of("group"));
        metrics.put("outbox_consumer_duplicates_total", Set.of("group"));
        metrics.put("outbox_consumer_dead_letters_total", Set.of("group"));
        metrics.put("outbox_end_to_end_latency_seconds_bucket", Set.of("group", "le"));
        metrics.put("outbox_consumer_lag", Set.of("group", "partition"));
        return Map.copyOf(metrics);
    }
}
