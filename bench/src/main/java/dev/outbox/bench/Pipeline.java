package dev.outbox.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.outbox.infra.FreePorts;

/**
 * The whole pipeline on one machine: one producer (ingest and publisher) and one consumer per group of the seed
 * (group-a, group-b, group-c, their shipped routes), on durable PostgreSQL and one Kafka broker.
 *
 * <ul>
 *   <li>{@link #endToEnd()}: open-loop load at 1,000 events/s and at half the measured maximum; p50/p99/p99.9
 *       of each hop from the times the system records (accepted, published = Kafka's ack, processed per group),
 *       plus the client's request latency; a chart per rate.</li>
 *   <li>{@link #topology()}: the same at 1,000 events/s on the seed's nine services.</li>
 *   <li>{@link #outage()}: at 1,000 events/s, Kafka stopped for a minute and restarted; ingest errors, the
 *       oldest pending age at its peak, the drain after the restart, lost events and duplicates; a chart.</li>
 * </ul>
 */
final class Pipeline {

    private static final List<String> GROUPS = List.of("group-a", "group-b", "group-c");
    /** Every event's publication, unnested from the publication batches in one pass (a bulk read, not a lookup). */
    static final String PUBLICATIONS = "select u.event_id, timestamptz 'epoch' + u.micros * interval '1 microsecond' "
            + "as published_at from publication_batches b, unnest(b.event_ids, b.published_micros) "
            + "as u(event_id, micros)";
    /** Published events accepted since a time (the parameter). */
    static final String PUBLISHED_SINCE = "from events e join (" + PUBLICATIONS + ") p using (event_id) "
            + "where e.accepted_at >= ?";
    private static final String ONE = "{\"topic\":\"shared-events\",\"message\":{\"orderId\":42,\"amount\":19.99},"
            + "\"key\":\"order-42\"}";

    private final Bench bench;
    private final Path results;
    private String scenario = "e2e";

    Pipeline(Bench bench) {
        this.bench = bench;
        this.results = Path.of(System.getProperty("bench.results", "bench/results"));
    }

    /** The running services of one scenario. */
    private record Services(List<ChildJvm> producers, List<ChildJvm> consumers, List<String> urls)
            implements AutoCloseable {

        String url() {
            return urls.get(0);
        }

        @Override
        public void close() throws InterruptedException {
            for (ChildJvm consumer : consumers) {
                consumer.close();
            }
            for (ChildJvm producer : producers) {
                producer.close();
            }
        }
    }

    /** {@code producers} producer instances and one consumer instance per entry of {@code groups}. */
    private Services start(String scenario, String brokers, int producerCount, List<String> groups) throws Exception {
        resetTables();
        List<ChildJvm> producers = new ArrayList<>();
        List<ChildJvm> consumers = new ArrayList<>();
        List<String> urls = new ArrayList<>();
        Services services = new Services(producers, consumers, urls);
        try {
            awaitStarted(scenario, brokers, producerCount, groups, services);
        } catch (Exception e) {
            try {
                services.close(); // a service that failed to start must not leave the others running
            } catch (Exception closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
        return services;
    }

    private void awaitStarted(String scenario, String brokers, int producerCount, List<String> groups,
                              Services services) throws Exception {
        List<ChildJvm> producers = services.producers();
        List<ChildJvm> consumers = services.consumers();
        List<String> urls = services.urls();
        List<String> health = new ArrayList<>();
        for (int i = 1; i <= producerCount; i++) {
            int port = FreePorts.find();
            producers.add(bench.producer("producer-" + scenario + "-" + i, port, true,
                    "--outbox.kafka.bootstrap-servers=" + brokers));
            health.add("http://127.0.0.1:" + port + "/api/messages/health");
            urls.add("http://127.0.0.1:" + port + "/api/messages/send");
        }
        for (int i = 0; i < groups.size(); i++) {
            int port = FreePorts.find();
            consumers.add(bench.consumer("consumer-" + scenario + "-" + groups.get(i) + "-" + (i + 1), groups.get(i),
                    port, brokers, "shared-events"));
            health.add("http://127.0.0.1:" + port + "/api/consumer/health");
        }
        List<ChildJvm> all = new ArrayList<>(producers);
        all.addAll(consumers);
        for (int i = 0; i < all.size(); i++) {
            all.get(i).awaitHealthy(health.get(i), Duration.ofSeconds(180));
        }
    }

    // ---------------------------------------------------------------- end to end

    void endToEnd() throws Exception {
        int seconds = bench.quick ? 20 : 30;
        int kafkaPort = FreePorts.find();
        try (ChildJvm kafka = bench.startKafka("kafka-e2e", "kafka-e2e", kafkaPort);
             Services services = start("e2e", "127.0.0.1:" + kafkaPort, 1, GROUPS)) {
            Bench.progress("end to end: warm-up, closed loop then 1,000 events/s (the JIT needs it on 2 cores)");
            Wrk.post(services.url(), ONE, 8, bench.quick ? 15 : 20, bench.work);
            OpenLoop.run(services.url(), 1000, Duration.ofSeconds(bench.quick ? 10 : 20), 1000);
            awaitDelivered(GROUPS, Duration.ofMinutes(5));

            Bench.progress("end to end: maximum single-POST rate with the whole pipeline running (32 connections, 10 s)");
            Wrk.Result max = Wrk.post(services.url(), ONE, 32, 10, bench.work);
            awaitDelivered(GROUPS, Duration.ofMinutes(5));
            // half the maximum, even below the 1,000/s floor (on a saturated machine it is the rate that shows the
            // latency of a pipeline with headroom); once only when both rates are the same
            int half = (int) Math.max(100, Math.round(max.requestsPerSecond() / 2 / 100) * 100);
            bench.figures.add(new Figure("e2e", "maximum single-POST rate, whole pipeline running",
                    max.requestsPerSecond(), "events/s", null, null, null));

            for (int rate : half == 1000 ? List.of(1000) : List.of(1000, half)) {
                Instant from = Instant.now();
                Bench.progress("end to end: open loop at " + rate + " events/s, " + seconds + " s");
                OpenLoop.Result client = OpenLoop.run(services.url(), rate, Duration.ofSeconds(seconds), 1000);
                awaitDelivered(GROUPS, Duration.ofMinutes(5));
                report("e2e", "one producer, one consumer per group", rate, from, client);
            }
        }
    }

    /**
     * The seed's topology: three producers behind the load (round robin over connections), group-a x3, group-b x2,
     * group-c x1; nine service processes, the broker and PostgreSQL on the one machine.
     */
    void topology() throws Exception {
        int seconds = bench.quick ? 20 : 30;
        int kafkaPort = FreePorts.find();
        List<String> members = List.of("group-a", "group-a", "group-a", "group-b", "group-b", "group-c");
        try (ChildJvm kafka = bench.startKafka("kafka-topology", "kafka-topology", kafkaPort);
             Services services = start("topology", "127.0.0.1:" + kafkaPort, 3, members)) {
            Bench.progress("nine services: warm-up at 1,000 events/s over the three producers");
            OpenLoop.run(services.urls(), 1000, Duration.ofSeconds(20), 1000);
            awaitDelivered(GROUPS, Duration.ofMinutes(5));
            Instant from = Instant.now();
            Bench.progress("nine services: open loop at 1,000 events/s, " + seconds + " s");
            OpenLoop.Result client = OpenLoop.run(services.urls(), 1000, Duration.ofSeconds(seconds), 1000);
            awaitDelivered(GROUPS, Duration.ofMinutes(5));
            report("topology", "nine services: 3 producers, group-a x3, group-b x2, group-c x1", 1000, from, client);
        }
    }

    private void report(String scenario, String setup, int rate, Instant from, OpenLoop.Result client)
            throws Exception {
        this.scenario = scenario;
        String at = String.format(Locale.ROOT, "at %,d/s", rate);
        boolean floor = rate == 1000;
        double[] acked = percentiles("select extract(epoch from published_at - accepted_at) * 1000 as ms "
                + PUBLISHED_SINCE, from);
        double[] everyGroup = percentiles("select max(extract(epoch from processed_at - accepted_at)) * 1000 as ms "
                + "from processed_events where accepted_at >= ? group by event_id", from);
        Bench.progress(String.format(Locale.ROOT, "  %s: client p50 %.1f ms p99 %.1f ms errors %d; accepted -> acked "
                        + "p50 %.1f p99 %.1f p99.9 %.1f ms; -> persisted by every group p50 %.1f p99 %.1f p99.9 %.1f ms",
                at, client.p50Millis(), client.p99Millis(), client.errors(), acked[0], acked[1], acked[2],
                everyGroup[0], everyGroup[1], everyGroup[2]));
        add("client POST latency p50 " + at, client.p50Millis(), null);
        add("client POST latency p99 " + at, client.p99Millis(), null);
        add("client POST latency p99.9 " + at, client.p999Millis(), null);
        bench.figures.add(new Figure(scenario, "client errors " + at, client.errors(), "requests", null, null, "0"));
        add("accepted -> acked by Kafka p50 " + at, acked[0], floor ? "<= 10" : null);
        add("accepted -> acked by Kafka p99 " + at, acked[1], floor ? "<= 20" : null);
        add("accepted -> acked by Kafka p99.9 " + at, acked[2], null);
        for (String group : GROUPS) {
            double[] persisted = percentiles("select extract(epoch from processed_at - accepted_at) * 1000 as ms "
                    + "from processed_events where accepted_at >= ? and consumer_group = '" + group + "'", from);
            add("accepted -> persisted by " + group + " p50 " + at, persisted[0], null);
            add("accepted -> persisted by " + group + " p99 " + at, persisted[1], null);
        }
        add("accepted -> persisted by every group p50 " + at, everyGroup[0], floor ? "<= 20" : null);
        add("accepted -> persisted by every group p99 " + at, everyGroup[1], floor ? "<= 50" : null);
        add("accepted -> persisted by every group p99.9 " + at, everyGroup[2], null);

        int seconds = client.timeline().size();
        Map<String, double[]> throughput = new LinkedHashMap<>();
        throughput.put("accepted", perSecond("select accepted_at as t from events where accepted_at >= ?", from, seconds));
        throughput.put("acked by Kafka",
                perSecond("select published_at as t " + PUBLISHED_SINCE, from, seconds));
        for (String group : GROUPS) {
            throughput.put("persisted by " + group, perSecond("select processed_at as t from processed_events "
                    + "where accepted_at >= ? and consumer_group = '" + group + "'", from, seconds));
        }
        Charts.Timeline rates = Charts.Timeline.of("events/s", false);
        throughput.forEach(rates::with);
        Charts.Timeline p99 = Charts.Timeline.of("p99 ms (by second accepted)", true)
                .with("client POST", client.timeline().stream().mapToDouble(OpenLoop.Second::p99Millis).toArray())
                .with("accepted -> acked", secondPercentile("select accepted_at as t, "
                        + "extract(epoch from published_at - accepted_at) * 1000 as ms " + PUBLISHED_SINCE,
                        from, seconds, 0.99))
                .with("accepted -> persisted by every group", secondPercentile("select min(accepted_at) as t, "
                        + "max(extract(epoch from processed_at - accepted_at)) * 1000 as ms from processed_events "
                        + "where accepted_at >= ? group by event_id", from, seconds, 0.99));
        Files.createDirectories(results);
        Path png = results.resolve(scenario + "-" + rate + ".png");
        Charts.write(png, String.format(Locale.ROOT, "End to end at %,d events/s (%s, durable PostgreSQL)", rate, setup),
                List.of(rates, p99), Map.of());
        Bench.progress("  chart: " + png);
    }

    private void add(String measure, double millis, String target) {
        bench.figures.add(new Figure(scenario, measure, millis, "ms", null, null, target));
    }

    // ---------------------------------------------------------------- outage

    void outage() throws Exception {
        int rate = 1000;
        int before = bench.quick ? 10 : 30;
        int down = bench.quick ? 20 : 60;
        int after = bench.quick ? 40 : 60;
        int kafkaPort = FreePorts.find();
        int controllerPort = FreePorts.find();
        List<String> groups = List.of("group-a");
        ChildJvm kafka = bench.startKafka("kafka-outage", "kafka-outage", kafkaPort, controllerPort);
        try (Services services = start("outage", "127.0.0.1:" + kafkaPort, 1, groups)) {
            Bench.progress("outage: warm-up at 1,000 events/s");
            Wrk.post(services.url(), ONE, 8, bench.quick ? 15 : 30, bench.work);
            OpenLoop.run(services.url(), rate, Duration.ofSeconds(10), 1000);
            awaitDelivered(groups, Duration.ofMinutes(5));

            Instant from = Instant.now();
            List<double[]> samples = new ArrayList<>(); // second, pending, oldest age s
            Sampler sampler = new Sampler(from, samples);
            sampler.start();
            Bench.progress(String.format(Locale.ROOT, "outage: open loop at %,d events/s for %d s; Kafka stopped at "
                    + "%d s for %d s", rate, before + down + after, before, down));
            CompletableFuture<OpenLoop.Result> load = CompletableFuture.supplyAsync(() -> {
                try {
                    return OpenLoop.run(services.url(), rate, Duration.ofSeconds(before + down + after), 1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            Thread.sleep(before * 1000L); // the benchmark's schedule, not a synchronisation
            double stoppedAt = secondsSince(from);
            kafka.close();
            Bench.progress(String.format(Locale.ROOT, "  Kafka stopped at %.1f s", stoppedAt));
            Thread.sleep(down * 1000L);
            kafka = bench.startKafka("kafka-outage-restarted", "kafka-outage", kafkaPort, controllerPort);
            double backAt = secondsSince(from);
            Bench.progress(String.format(Locale.ROOT, "  Kafka back at %.1f s", backAt));
            OpenLoop.Result client = load.join();
            awaitDelivered(groups, Duration.ofMinutes(10));
            sampler.stop();

            double peakAge = samples.stream().mapToDouble(s -> s[2]).max().orElse(0);
            double backlogAtRestart = samples.stream().filter(s -> s[0] <= backAt).mapToDouble(s -> s[1]).reduce((a, b) -> b)
                    .orElse(0);
            double drainedAt = samples.stream().filter(s -> s[0] > backAt && s[1] <= rate / 10.0).mapToDouble(s -> s[0])
                    .findFirst().orElse(Double.NaN);
            // the broker answers some time after its READY line (partition leaders, group coordinator): the drain
            // rate is taken from the first acknowledgement after the restart
            double firstAck = firstAfter("select min(published_at) from (" + PUBLICATIONS + ") p where published_at > ?",
                    from.plusMillis((long) (backAt * 1000)), from);
            double backlogAtFirstAck = samples.stream().filter(s -> s[0] <= firstAck).mapToDouble(s -> s[1])
                    .reduce((a, b) -> b).orElse(0);
            double drainSeconds = drainedAt - firstAck;
            double drainRate = (backlogAtFirstAck + rate * drainSeconds) / drainSeconds;
            long accepted = count("select count(*) from events where accepted_at >= ?", from);
            long lost = count("select count(*) from events e where accepted_at >= ? and not exists (select 1 from "
                    + "processed_events p where p.event_id = e.event_id and p.consumer_group = 'group-a')", from);
            long records;
            try (TopicRecords topic = new TopicRecords("127.0.0.1:" + kafkaPort)) {
                records = topic.count();
            }
            long events = count("select count(*) from events");
            Bench.progress(String.format(Locale.ROOT, "  errors %d, peak oldest pending %.1f s, backlog at restart %.0f, "
                            + "first ack %.1f s after the broker's READY, drained %.1f s after that (%.0f events/s = "
                            + "%.1fx ingest), lost %d of %d, duplicate records on the topic %d", client.errors(), peakAge,
                    backlogAtRestart, firstAck - backAt, drainSeconds, drainRate, drainRate / rate, lost, accepted,
                    records - events));
            bench.figures.add(new Figure("outage", "ingest errors during a 60 s Kafka outage at 1,000/s",
                    client.errors(), "requests", null, null, "0"));
            bench.figures.add(new Figure("outage", "peak oldest pending age", peakAge, "s", null, null, null));
            bench.figures.add(new Figure("outage", "backlog when Kafka came back", backlogAtRestart, "events", null,
                    null, null));
            bench.figures.add(new Figure("outage", "first ack after the restarted broker's READY line",
                    firstAck - backAt, "s", null, null, null));
            bench.figures.add(new Figure("outage", "time to drain the backlog from the first ack", drainSeconds, "s",
                    null, null, null));
            bench.figures.add(new Figure("outage", "drain rate while catching up", drainRate, "events/s",
                    "ingest rate", (double) rate, ">= 10x"));
            bench.figures.add(new Figure("outage", "events lost", lost, "events", null, null, "0"));
            bench.figures.add(new Figure("outage", "duplicate records on the topic", records - events, "records", null,
                    null, null));
            bench.figures.add(new Figure("outage", "client POST latency p99 across the outage", client.p99Millis(), "ms",
                    null, null, null));

            int seconds = (int) Math.ceil(secondsSince(from));
            Charts.Timeline rates = Charts.Timeline.of("events/s", false)
                    .with("accepted", perSecond("select accepted_at as t from events where accepted_at >= ?", from, seconds))
                    .with("acked by Kafka", perSecond("select published_at as t " + PUBLISHED_SINCE, from, seconds))
                    .with("persisted by group-a", perSecond("select processed_at as t from processed_events "
                            + "where accepted_at >= ?", from, seconds));
            double[] pending = new double[seconds];
            double[] age = new double[seconds];
            java.util.Arrays.fill(pending, Double.NaN);
            java.util.Arrays.fill(age, Double.NaN);
            for (double[] s : samples) {
                int i = (int) s[0];
                if (i < seconds) {
                    pending[i] = s[1];
                    age[i] = s[2];
                }
            }
            Charts.Timeline backlog = Charts.Timeline.of("pending events", false).with("outbox backlog", pending);
            Charts.Timeline oldest = Charts.Timeline.of("seconds", false)
                    .with("oldest pending age", age)
                    .with("client POST p99 (ms / 1000)", client.timeline().stream()
                            .mapToDouble(s -> s.p99Millis() / 1000).toArray());
            Files.createDirectories(results);
            Path png = results.resolve("outage.png");
            Map<String, Double> marks = new LinkedHashMap<>();
            marks.put("Kafka stopped", stoppedAt);
            marks.put("Kafka READY again", backAt);
            Charts.write(png, String.format(Locale.ROOT, "Kafka stopped for %d s at %,d events/s (one producer, group-a)",
                    down, rate), List.of(rates, backlog, oldest), marks);
            Bench.progress("  chart: " + png);
        } finally {
            kafka.close();
        }
    }

    /** Samples the outbox every second: backlog and the age of its oldest row. */
    private final class Sampler implements Runnable {
        private final Instant from;
        private final List<double[]> samples;
        private volatile boolean running = true;
        private final Thread thread = new Thread(this, "outage-sampler");

        Sampler(Instant from, List<double[]> samples) {
            this.from = from;
            this.samples = samples;
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join();
        }

        @Override
        public void run() {
            try (Connection c = bench.connect(); Statement s = c.createStatement()) {
                while (running) {
                    try (var rs = s.executeQuery("select count(*), coalesce(extract(epoch from now() - min(accepted_at)), 0) "
                            + "from outbox")) {
                        rs.next();
                        synchronized (samples) {
                            samples.add(new double[] {secondsSince(from), rs.getLong(1), rs.getDouble(2)});
                        }
                    }
                    Thread.sleep(1000);
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- measuring

    private static double secondsSince(Instant from) {
        return Duration.between(from, Instant.now()).toMillis() / 1000.0;
    }

    /** Waits until every accepted event is published and persisted by each group. */
    private void awaitDelivered(List<String> groups, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            long events = count("select count(*) from events");
            boolean all = count("select count(*) from outbox") == 0;
            for (String group : groups) {
                all &= count("select count(*) from processed_events where consumer_group = ?", group) >= events;
            }
            if (all) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("events not delivered to every group within " + limit);
    }

    /** Seconds since {@code from} of the instant a query returns for the given instant (NaN when none). */
    private double firstAfter(String sql, Instant after, Instant from) throws SQLException {
        try (Connection c = bench.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            s.setTimestamp(1, Timestamp.from(after));
            try (var rs = s.executeQuery()) {
                rs.next();
                Timestamp first = rs.getTimestamp(1);
                return first == null ? Double.NaN : Duration.between(from, first.toInstant()).toMillis() / 1000.0;
            }
        }
    }

    private long count(String sql, Object... parameters) throws SQLException {
        try (Connection c = bench.connect(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i] instanceof Instant instant ? Timestamp.from(instant) : parameters[i]);
            }
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** p50, p99 and p99.9 of the {@code ms} column of a query taking the start instant. */
    private double[] percentiles(String msQuery, Instant from) throws SQLException {
        try (Connection c = bench.connect(); PreparedStatement s = c.prepareStatement(
                "select percentile_cont(array[0.5, 0.99, 0.999]) within group (order by ms) from (" + msQuery + ") x")) {
            s.setTimestamp(1, Timestamp.from(from));
            try (var rs = s.executeQuery()) {
                rs.next();
                Double[] values = (Double[]) rs.getArray(1).getArray();
                return new double[] {values[0], values[1], values[2]};
            }
        }
    }

    /** How many rows of a query's {@code t} column fall in each second since the start. */
    private double[] perSecond(String timeQuery, Instant from, int seconds) throws SQLException {
        return bySecond("count(*)", "t is not null", timeQuery, from, seconds, 0);
    }

    /** A percentile of a query's {@code ms} column per second of its {@code t} column. */
    private double[] secondPercentile(String query, Instant from, int seconds, double p) throws SQLException {
        return bySecond("percentile_cont(" + p + ") within group (order by ms)", "ms is not null", query, from,
                seconds, Double.NaN);
    }

    /** An aggregate of a query's rows per second of its {@code t} column since the start; {@code none} elsewhere. */
    private double[] bySecond(String aggregate, String filter, String query, Instant from, int seconds, double none)
            throws SQLException {
        double[] values = new double[seconds];
        java.util.Arrays.fill(values, none);
        try (Connection c = bench.connect(); PreparedStatement s = c.prepareStatement(
                "select floor(extract(epoch from t - ?::timestamptz))::int as second, " + aggregate + " from ("
                        + query + ") x where " + filter + " group by 1")) {
            s.setTimestamp(1, Timestamp.from(from));
            s.setTimestamp(2, Timestamp.from(from));
            try (var rs = s.executeQuery()) {
                while (rs.next()) {
                    int second = rs.getInt(1);
                    if (second >= 0 && second < seconds) {
                        values[second] = rs.getDouble(2);
                    }
                }
            }
        }
        return values;
    }

    private void resetTables() throws SQLException {
        try (Connection c = bench.connect(); Statement s = c.createStatement()) {
            s.execute("truncate events, event_publications, publication_batches, outbox, processed_events, "
                    + "group_outputs, key_counts, dead_letters, idempotency_keys, publisher_instances");
            s.execute("update bucket_leases set owner = null, lease_until = '-infinity', fence = fence + 1");
        }
    }
}
