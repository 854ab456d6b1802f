package dev.outbox.system.deployment;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a Prometheus text exposition ({@code /actuator/prometheus}) offers: each sample name (counters already
 * with {@code _total}, histograms as {@code _bucket}/{@code _sum}/{@code _count}) with the label names its
 * samples carry. Several scrapes can be merged, as Prometheus sees every service.
 */
final class Exposition {

    private final Map<String, Set<String>> labelsByMetric = new TreeMap<>();
    private final Map<String, Double> sums = new LinkedHashMap<>();

    static Exposition of(String... scrapes) {
        Exposition exposition = new Exposition();
        for (String scrape : scrapes) {
            scrape.lines().filter(line -> !line.isBlank() && !line.startsWith("#")).forEach(exposition::add);
        }
        return exposition;
    }

    private void add(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        boolean hasLabels = brace >= 0 && (space < 0 || brace < space);
        String name = line.substring(0, hasLabels ? brace : space);
        Set<String> labels = labelsByMetric.computeIfAbsent(name, n -> new TreeSet<>());
        int end = hasLabels ? readLabels(line, brace + 1, labels) : space;
        sums.merge(name, Double.parseDouble(line.substring(end).strip().split(" ")[0]), Double::sum);
    }

    /** Reads {@code name="value",…} up to the closing brace; returns the index after it. */
    private static int readLabels(String line, int from, Set<String> labels) {
        int at = from;
        while (line.charAt(at) != '}') {
            int equals = line.indexOf('=', at);
            labels.add(line.substring(at, equals).strip());
            at = equals + 2; // past ="
            while (line.charAt(at) != '"') {
                at += line.charAt(at) == '\\' ? 2 : 1;
            }
            at++;
            if (line.charAt(at) == ',') {
                at++;
            }
        }
        return at + 1;
    }

    boolean has(String metric) {
        return labelsByMetric.containsKey(metric);
    }

    Set<String> labels(String metric) {
        return labelsByMetric.getOrDefault(metric, Set.of());
    }

    Set<String> metrics() {
        return labelsByMetric.keySet();
    }

    /** The sum of the samples of {@code metric} (0 when absent). */
    double sum(String metric) {
        return sums.getOrDefault(metric, 0.0);
    }
}
