package dev.outbox.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flywaydb.core.Flyway;
import org.springframework.util.FileSystemUtils;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.outbox.infra.FreePorts;
import dev.outbox.infra.PostgresServer;
import dev.outbox.producer.publish.KeyBuckets;

/**
 * The benchmark: every figure beside its raw ceiling (plain JDBC, plain kafka-clients) and the peer (the
 * textbook Camel outbox route), measured in the same run on durable PostgreSQL. Run by scripts/bench.sh.
 *
 * <pre>Bench [ingest] [drain] [latency] [consumer] [e2e] [topology] [outage] [--quick] [--profile]</pre>
 */
public final class Bench {

    private static final String USER = "outbox_user";
    private static final String PASSWORD = "outbox_password";
    private static final int BUCKETS = 64;
    /** The publisher's default batch size ({@code outbox.publisher.batch-size}): the raw claim takes as many rows. */
    private static final int PUBLISH_BATCH = 8000;

    final boolean quick;
    final Path work;
    final List<Figure> figures = new ArrayList<>();
    private PostgresServer postgres;
    private String jdbcUrl;

    private Bench(boolean quick, Path work) {
        this.quick = quick;
        this.work = work;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        List<String> scenarios = List.of(args).stream().filter(a -> !a.startsWith("--")).toList();
        if (scenarios.isEmpty()) {
            scenarios = List.of("ingest", "drain", "latency", "consumer", "e2e", "topology", "outage");
        }
        Path work = Files.createTempDirectory("outbox-bench");
        if (List.of(args).contains("--profile")) {
            ChildJvm.profiles = Files.createDirectories(Path.of("bench/target/profiles").toAbsolutePath());
            progress("recording a JFR profile of every child JVM into " + ChildJvm.profiles);
        }
        Bench bench = new Bench(quick, work);
        try {
            bench.startPostgres();
            for (String scenario : scenarios) {
                switch (scenario) {
                    case "ingest" -> bench.ingest();
                    case "drain" -> bench.drain();
                    case "latency" -> bench.latency();
                    case "consumer" -> bench.consumer();
                    case "e2e" -> new Pipeline(bench).endToEnd();
                    case "topology" -> new Pipeline(bench).topology();
                    case "outage" -> new Pipeline(bench).outage();
                    default -> throw new IllegalArgumentException("unknown scenario " + scenario);
                }
            }
        } finally {
            if (bench.postgres != null) {
                bench.postgres.stop();
            }
            removeData(work);
        }
        bench.report(Path.of(System.getProperty("bench.results", "bench/results")));
    }

    /** A run's database and broker data take gigabytes (repeated runs filled this machine's disk): logs stay. */
    private static void removeData(Path work) throws IOException {
        try (var entries = Files.list(work)) {
            for (Path entry : entries.filter(path -> !path.endsWith("logs")).toList()) {
                FileSystemUtils.deleteRecursively(entry);
            }
        }
        progress("data removed; the services' logs are in " + work.resolve("logs"));
    }

    private void startPostgres() throws SQLException {
        progress("starting durable PostgreSQL 17 (fsync=on, synchronous_commit=on, full_page_writes=on)");
        postgres = PostgresServer.start(work.resolve("pg"), FreePorts.find(), true);
        postgres.createDatabase("outbox_db", USER, PASSWORD);
        jdbcUrl = postgres.jdbcUrl("outbox_db");
        Flyway.configure().dataSource(jdbcUrl, USER, PASSWORD).locations("classpath:db/migration").load().migrate();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("insert into outbox_settings (bucket_count) values (" + BUCKETS + ") on conflict do nothing");
            s.execute("create table bench_raw (id bigint generated always as identity primary key, payload text not null)");
            var fsync = s.executeQuery("select current_setting('fsync'), current_setting('synchronous_commit')");
            fsync.next();
            progress("PostgreSQL fsync=" + fsync.getString(1) + " synchronous_commit=" + fsync.getString(2));
        }
    }

    // ---------------------------------------------------------------- ingest

    private void ingest() throws Exception {
        int seconds = quick ? 8 : 20;
        double rawSingle = rawSingleRowCommits(32, seconds);
        double rawBatched = rawBatchedInserts(seconds);
        int port = FreePorts.find();
        try (ChildJvm producer = producer("producer-ingest", port, false)) {
            producer.awaitHealthy("http://127.0.0.1:" + port + "/api/messages/health", Duration.ofSeconds(90));
            String url = "http://127.0.0.1:" + port + "/api/messages/";
            String one = "{\"topic\":\"shared-events\",\"message\":{\"orderId\":42,\"amount\":19.99,\"note\":\"benchmark\"},"
                    + "\"key\":\"order-42\"}";
            progress("warm-up: single POSTs (the JIT needs tens of seconds on 2 cores)");
            Wrk.post(url + "send", one, 32, quick ? 20 : 40, work);
            progress("single POSTs, 32 connections, " + seconds + " s");
            Wrk.Result single = Wrk.post(url + "send", one, 32, seconds, work);
            check(single);
            figures.add(new Figure("ingest", "single POST events/s (32 clients)", single.requestsPerSecond(), "events/s",
                    "raw JDBC single-row commits, 32 threads", rawSingle, ">= 5,000"));
            figures.add(new Figure("ingest", "single POST latency p50", single.p50Millis(), "ms", null, null, null));
            figures.add(new Figure("ingest", "single POST latency p99", single.p99Millis(), "ms", null, null, null));
            figures.add(new Figure("ingest", "single POST latency p99.9", single.p999Millis(), "ms", null, null, null));
            for (int rate : List.of(1000, Math.max(1000, (int) Math.round(single.requestsPerSecond() / 2 / 100) * 100))) {
                progress("single POSTs, open loop at " + rate + " events/s, " + seconds + " s");
                OpenLoop.Result open = OpenLoop.run(url + "send", rate, Duration.ofSeconds(seconds), 1000);
                progress(String.format(Locale.ROOT, "  p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, errors %d",
                        open.p50Millis(), open.p99Millis(), open.p999Millis(), open.errors()));
                String at = String.format(Locale.ROOT, " (open loop, %,d/s)", rate);
                figures.add(new Figure("ingest", "single POST latency p50" + at, open.p50Millis(), "ms", null, null, null));
                figures.add(new Figure("ingest", "single POST latency p99" + at, open.p99Millis(), "ms", null, null, null));
                figures.add(new Figure("ingest", "single POST latency p99.9" + at, open.p999Millis(), "ms", null, null,
                        null));
                figures.add(new Figure("ingest", "single POST errors" + at, open.errors(), "requests", null, null, "0"));
            }

            int batchSize = 1000;
            String batch = "[" + String.join(",", java.util.Collections.nCopies(batchSize, one)) + "]";
            progress("batch POSTs of " + batchSize + ", 4 connections, " + seconds + " s");
            Wrk.post(url + "batch", batch, 4, quick ? 10 : 20, work);
            Wrk.Result batched = Wrk.post(url + "batch", batch, 4, seconds, work);
            check(batched);
            figures.add(new Figure("ingest", "batch POST events/s (1,000 per request)",
                    batched.requestsPerSecond() * batchSize, "events/s", "raw JDBC batched inserts", rawBatched,
                    ">= 50,000"));
            figures.add(new Figure("ingest", "batch POST latency p99 (closed loop)", batched.p99Millis(), "ms", null,
                    null, null));
            int batchRate = Math.max(1, (int) Math.round(batched.requestsPerSecond() / 2));
            progress("batch POSTs of " + batchSize + ", open loop at " + batchRate + " requests/s (half the maximum), "
                    + seconds + " s");
            OpenLoop.Result open = OpenLoop.run(List.of(url + "batch"), batchRate, Duration.ofSeconds(seconds), 1000,
                    batchSize);
            progress(String.format(Locale.ROOT, "  p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, errors %d", open.p50Millis(),
                    open.p99Millis(), open.p999Millis(), open.errors()));
            String at = String.format(Locale.ROOT, " (open loop, %,d events/s)", batchRate * batchSize);
            figures.add(new Figure("ingest", "batch POST latency p50" + at, open.p50Millis(), "ms", null, null, null));
            figures.add(new Figure("ingest", "batch POST latency p99" + at, open.p99Millis(), "ms", null, null, null));
            figures.add(new Figure("ingest", "batch POST latency p99.9" + at, open.p999Millis(), "ms", null, null,
                    null));
            figures.add(new Figure("ingest", "batch POST errors" + at, open.errors(), "requests", null, null, "0"));
        }
    }

    private double rawSingleRowCommits(int threads, int seconds) throws Exception {
        progress("raw ceiling: single-row JDBC commits, " + threads + " threads, " + seconds + " s");
        AtomicLong rows = new AtomicLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                try (Connection c = connect();
                     PreparedStatement insert = c.prepareStatement("insert into bench_raw (payload) values (?)")) {
                    while (System.nanoTime() < deadline) {
                        insert.setString(1, "{\"orderId\":42,\"amount\":19.99,\"note\":\"benchmark\"}");
                        insert.executeUpdate();
                        rows.incrementAndGet();
                    }
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 30L, TimeUnit.SECONDS);
        double rate = rows.get() / (double) seconds;
        progress(String.format(Locale.ROOT, "  %.0f commits/s", rate));
        return rate;
    }

    private double rawBatchedInserts(int seconds) throws Exception {
        progress("raw ceiling: batched JDBC inserts (1,000 rows per commit), " + seconds + " s");
        long rows = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long started = System.nanoTime();
        try (Connection c = connect();
             PreparedStatement insert = c.prepareStatement(
                     "insert into bench_raw (payload) select ? from generate_series(1, 1000)")) {
            while (System.nanoTime() < deadline) {
                insert.setString(1, "{\"orderId\":42,\"amount\":19.99,\"note\":\"benchmark\"}");
                rows += insert.executeUpdate();
            }
        }
        double rate = rows / ((System.nanoTime() - started) / 1e9);
        progress(String.format(Locale.ROOT, "  %.0f rows/s", rate));
        return rate;
    }

    private static void check(Wrk.Result result) {
        if (result.non2xx() > 0 || result.socketErrors() > 0) {
            throw new IllegalStateException("errors during the load: non-2xx=" + result.non2xx()
                    + " timeouts=" + result.socketErrors());
        }
    }

    // ---------------------------------------------------------------- drain

    /** A KRaft broker of its own (InfraMain without PostgreSQL) on {@code port}, ready. */
    ChildJvm startKafka(String name, String dataDirectory, int port) throws InterruptedException {
        return startKafka(name, dataDirectory, port, FreePorts.find());
    }

    /** The same, on a given controller port too (a restart of the same broker). */
    ChildJvm startKafka(String name, String dataDirectory, int port, int controllerPort) throws InterruptedException {
        ChildJvm kafka = ChildJvm.start(name, "dev.outbox.infra.InfraMain", List.of("-Xmx1g"),
                List.of("--no-postgres", "--data", work.resolve(dataDirectory).toString(), "--kafka-port",
                        Integer.toString(port), "--controller-port", Integer.toString(controllerPort)),
                "READY", work.resolve("logs"));
        kafka.awaitReadyLine(Duration.ofSeconds(90));
        return kafka;
    }

    private void drain() throws Exception {
        int backlog = quick ? 100_000 : 1_000_000;
        int peerBacklog = quick ? 20_000 : 100_000;
        int kafkaPort = FreePorts.find();
        try (ChildJvm kafka = startKafka("kafka", "kafka-data", kafkaPort)) {
            String brokers = "127.0.0.1:" + kafkaPort;

            double rawKafka = rawKafkaProducer(brokers, backlog);
            fill(backlog);
            double rawClaim = rawClaimAndDelete();

            int port = FreePorts.find();
            progress("publisher draining " + backlog + " rows (one producer instance)");
            Drained drained;
            try (ChildJvm producer = producer("producer-drain", port, true, "--outbox.kafka.bootstrap-servers=" + brokers)) {
                producer.awaitHealthy("http://127.0.0.1:" + port + "/api/messages/health", Duration.ofSeconds(90));
                progress("warm-up drain (the JIT needs it on 2 cores)");
                fill(quick ? 50_000 : 200_000);
                awaitDrained(producer, brokers, Duration.ofMinutes(3));
                fill(backlog);
                drained = awaitDrained(producer, brokers, Duration.ofMinutes(quick ? 3 : 10));
            }
            figures.add(new Figure("drain", "publisher drain events/s", drained.rate(), "events/s",
                    "raw JDBC claim-and-delete", rawClaim, ">= 100,000"));
            figures.add(new Figure("drain", "publisher drain vs raw kafka-clients producer", drained.rate(),
                    "events/s", "raw kafka-clients producer (acks=all, idempotent)", rawKafka, null));
            // a reference, not a bound: the two raw steps one after the other, each on the whole machine, with
            // nothing between them (a publisher must do both for every row, on the same 2 cores)
            figures.add(new Figure("drain", "publisher drain vs both raw steps in series", drained.rate(), "events/s",
                    "1 / (1 / claim-and-delete + 1 / kafka-clients producer)", 1 / (1 / rawClaim + 1 / rawKafka),
                    null));
            figures.add(new Figure("drain", "publisher CPU per 1,000 events", drained.cpuMillisPer1000(), "CPU-ms",
                    null, null, "<= 20"));
            figures.add(new Figure("drain", "publisher drain events/s, 3 instances on one machine",
                    drainWithThree(quick ? backlog : backlog / 2, brokers), "events/s", "one instance", drained.rate(),
                    null));
            figures.add(peer("stock", peerBacklog, brokers, drained.rate()));
            figures.add(peer("tuned", peerBacklog, brokers, drained.rate()));
        }
    }

    /** Three publisher instances sharing the buckets (each a process, as deployed), draining the same backlog. */
    private double drainWithThree(int backlog, String brokers) throws Exception {
        progress("publisher draining " + backlog + " rows with 3 instances (buckets spread over them)");
        List<ChildJvm> instances = new ArrayList<>();
        try {
            List<Integer> ports = new ArrayList<>();
            for (int i = 1; i <= 3; i++) {
                int port = FreePorts.find();
                ports.add(port);
                instances.add(producer("producer-drain-" + i, port, true, "--outbox.kafka.bootstrap-servers=" + brokers));
            }
            for (int i = 0; i < 3; i++) {
                instances.get(i).awaitHealthy("http://127.0.0.1:" + ports.get(i) + "/api/messages/health",
                        Duration.ofSeconds(120));
            }
            fill(50_000);
            awaitDrained(instances.get(0), brokers, Duration.ofMinutes(3));
            fill(backlog);
            return awaitDrained(instances.get(0), brokers, Duration.ofMinutes(quick ? 3 : 10)).rate();
        } finally {
            for (ChildJvm instance : instances) {
                instance.close();
            }
        }
    }

    // ---------------------------------------------------------------- consumer

    private void consumer() throws Exception {
        int records = quick ? 200_000 : 1_000_000;
        double ours;
        int kafkaPort = FreePorts.find();
        try (ChildJvm kafka = startKafka("kafka-consumer", "kafka-consumer", kafkaPort)) {
            String brokers = "127.0.0.1:" + kafkaPort;
            try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                    org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("bench-consume", 6, (short) 1),
                        new org.apache.kafka.clients.admin.NewTopic("bench-consume.DLT", 1, (short) 1))).all().get();
            }
            progress("filling topic bench-consume with " + records + " records (publisher headers)");
            try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers, ProducerConfig.ACKS_CONFIG, "all",
                    ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 262144,
                    ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new ByteArraySerializer())) {
                String acceptedAt = dev.outbox.shared.Timestamps.format(Instant.now());
                for (int i = 0; i < records; i++) {
                    var record = new ProducerRecord<>("bench-consume", "key-" + (i % 1000),
                            ("{\"orderId\":" + i + ",\"amount\":19.99}").getBytes(StandardCharsets.UTF_8));
                    // event ids are UUIDv7 (time-ordered), as the producer assigns them
                    record.headers().add("outbox-event-id", dev.outbox.shared.UuidV7.next().toString().getBytes(StandardCharsets.UTF_8));
                    record.headers().add("outbox-accepted-at", acceptedAt.getBytes(StandardCharsets.UTF_8));
                    producer.send(record);
                }
                producer.flush();
            }
            double raw = rawKafkaConsumer(brokers, records);
            int port = FreePorts.find();
            progress("one consumer (group bench-a, the shipped group-a route) persisting " + records + " records");
            try (ChildJvm consumer = consumer("consumer-bench", "bench-a", port, brokers, "bench-consume",
                    "--OUTBOX_CONSUMER_ROUTES=file:" + groupRoute())) {
                long deadline = System.nanoTime() + Duration.ofMinutes(quick ? 3 : 8).toNanos();
                while (processed("bench-a") == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                long started = System.nanoTime();
                long startCount = processed("bench-a");
                Duration startCpu = consumer.cpuTime();
                long done = startCount;
                while (done < records && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                    done = processed("bench-a");
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                double rate = (done - startCount) / seconds;
                double cpu = consumer.cpuTime().minus(startCpu).toMillis() / Math.max(1.0, done - startCount) * 1000;
                progress(String.format(Locale.ROOT, "  %d records in %.1f s: %.0f events/s, %.1f CPU-ms per 1,000",
                        done - startCount, seconds, rate, cpu));
                figures.add(new Figure("consumer", "consumer persistence events/s (one group, one instance)", rate,
                        "events/s", "raw kafka-clients consumer (no database)", raw, ">= 50,000"));
                figures.add(new Figure("consumer", "consumer CPU per 1,000 events", cpu, "CPU-ms", null, null, null));
                ours = rate;
            }
            // after the consumer, so that the vacuum of the rows it writes and deletes cannot slow the consumer
            figures.add(new Figure("consumer", "consumer persistence vs the database alone", ours, "events/s",
                    "raw JDBC: the same rows server-generated, 2,000 per commit, one connection",
                    rawConsumerWrites(quick ? 10 : 20), null));
            int peerSeconds = 30;
            progress("peer: textbook camel-kafka -> camel-sql route, one insert per record, " + peerSeconds + " s");
            try (ChildJvm peer = ChildJvm.start("textbook-consumer", TextbookConsumerRoute.class.getName(),
                    List.of("-Xmx512m"), List.of(jdbcUrl, USER, PASSWORD, brokers, "bench-consume", "bench-textbook"),
                    "TEXTBOOK CONSUMER STARTING", work.resolve("logs"))) {
                peer.awaitReadyLine(Duration.ofSeconds(60));
                long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
                while (processed("bench-textbook") == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                long startCount = processed("bench-textbook");
                long started = System.nanoTime();
                Thread.sleep(peerSeconds * 1000L); // the peer runs under a time limit
                double peerRate = (processed("bench-textbook") - startCount) / ((System.nanoTime() - started) / 1e9);
                progress(String.format(Locale.ROOT, "  %.0f events/s", peerRate));
                figures.add(new Figure("consumer", "ours vs textbook consumer route", ours, "events/s",
                        "textbook camel-kafka -> camel-sql route, one insert per record", peerRate, "> 1x"));
            }
        }
    }

    /**
     * What the database alone gives for a consumer's writes: a processed row and a group-a output row per event,
     * generated server-side (no client, no Kafka), 2,000 per transaction on one connection, durable commits.
     */
    private double rawConsumerWrites(int seconds) throws SQLException {
        progress("raw ceiling: JDBC writes of processed + group output rows (2,000 events per commit), " + seconds + " s");
        long events = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        long started = System.nanoTime();
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("create temporary sequence raw_events");
            while (System.nanoTime() < deadline) {
                // one statement: the batch, its processed rows (in order, duplicates skipped), its output rows
                s.executeUpdate("with batch as (select " + uuidV7("n") + " as event_id, n "
                        + "from (select nextval('raw_events') as n from generate_series(1, 2000)) g), "
                        + "processed as (insert into processed_events (consumer_group, processed_by, event_id, "
                        + "event_key, topic, kafka_partition, kafka_offset, accepted_at, processed_at) "
                        + "select 'bench-raw', 'raw', event_id, 'key-' || n % 1000, 'bench-consume', n % 6, n, now(), "
                        + "clock_timestamp() from batch order by n on conflict (consumer_group, event_id) do nothing) "
                        + "insert into group_outputs (consumer_group, event_id, output) select 'bench-raw', event_id, "
                        + "'{\"orderId\":' || n || ',\"amount\":19.99}' from batch");
                events += 2000;
            }
            s.execute("delete from processed_events where consumer_group = 'bench-raw'");
            s.execute("delete from group_outputs where consumer_group = 'bench-raw'");
        }
        double rate = events / ((System.nanoTime() - started) / 1e9);
        progress(String.format(Locale.ROOT, "  %.0f events/s", rate));
        return rate;
    }

    /** SQL for a UUIDv7 as the producer assigns them: the time in ms, then {@code counter}, so ids rise with it. */
    private static String uuidV7(String counter) {
        return "(lpad(to_hex((extract(epoch from now()) * 1000)::bigint), 12, '0') || '70008' || lpad(to_hex("
                + counter + "), 15, '0'))::uuid";
    }

    /** The shipped group-a route, under the bench's group name. */
    private Path groupRoute() throws IOException {
        Path dir = Files.createDirectories(work.resolve("routes"));
        Files.writeString(dir.resolve("bench-a.yaml"), """
                - route:
                    id: process-bench-a
                    from:
                      uri: direct:process-bench-a
                      steps:
                        - marshal:
                            json: {}
                        - convertBodyTo:
                            type: String
                            charset: UTF-8
                        - to:
                            uri: sql:classpath:routes/sql/store-payload.sql
                """);
        return dir.resolve("*.yaml");
    }

    private long processed(String group) throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "select count(*) from processed_events where consumer_group = ?")) {
            s.setString(1, group);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private double rawKafkaConsumer(String brokers, int records) {
        progress("raw ceiling: kafka-clients consumer reading " + records + " records");
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(Map.<String, Object>of(
                "bootstrap.servers", brokers, "group.id", "bench-raw-reader", "auto.offset.reset", "earliest",
                "max.poll.records", 2000), new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer())) {
            consumer.subscribe(List.of("bench-consume"));
            long read = 0;
            long started = 0;
            while (read < records) {
                int n = consumer.poll(Duration.ofMillis(500)).count();
                if (n > 0 && started == 0) {
                    started = System.nanoTime();
                }
                read += n;
            }
            double rate = read / ((System.nanoTime() - started) / 1e9);
            progress(String.format(Locale.ROOT, "  %.0f records/s", rate));
            return rate;
        }
    }

    // ---------------------------------------------------------------- latency

    private void latency() throws Exception {
        int kafkaPort = FreePorts.find();
        int seconds = quick ? 15 : 30;
        try (ChildJvm kafka = ChildJvm.start("kafka-latency", "dev.outbox.infra.InfraMain",
                List.of("-Xmx1g"), List.of("--no-postgres", "--data", work.resolve("kafka-latency").toString(),
                        "--kafka-port", Integer.toString(kafkaPort), "--controller-port",
                        Integer.toString(FreePorts.find())), "READY", work.resolve("logs"))) {
            kafka.awaitReadyLine(Duration.ofSeconds(90));
            clearOutbox();
            int port = FreePorts.find();
            try (ChildJvm producer = producer("producer-latency", port, true,
                    "--outbox.kafka.bootstrap-servers=127.0.0.1:" + kafkaPort)) {
                producer.awaitHealthy("http://127.0.0.1:" + port + "/api/messages/health", Duration.ofSeconds(90));
                String url = "http://127.0.0.1:" + port + "/api/messages/send";
                progress("warm-up: closed loop, then open loop at 1,000 events/s (the JIT needs it on 2 cores)");
                Wrk.post(url, "{\"topic\":\"shared-events\",\"message\":{\"n\":1},\"key\":\"warm\"}", 8,
                        quick ? 20 : 40, work);
                awaitEmpty();
                // a minute: with 10 s here, the measured run's per-second p99 started above 100 ms and settled at
                // 15-35 ms only in its last 15 s (the JIT still compiling on the same 2 cores)
                OpenLoop.run(url, 1000, Duration.ofSeconds(quick ? 10 : 60), 100);
                awaitEmpty();
                progress("idle cost: publisher polls while nothing happens, 10 s");
                double before = publishPolls(port);
                Thread.sleep(10_000);
                double idle = (publishPolls(port) - before) / 10.0;
                progress(String.format(Locale.ROOT, "  %.0f queries/s idle (1 per poll)", idle));
                figures.add(new Figure("latency", "idle cost: publisher queries/s (one producer, 1 per poll)", idle,
                        "queries/s", null, null, null));

                Instant from = Instant.now();
                progress("open loop at 1,000 events/s, " + seconds + " s");
                double[][] phasesBefore = publishPhases(port); // scraped outside the CPU window
                Duration producerCpu = producer.cpuTime();
                Duration kafkaCpu = kafka.cpuTime();
                OpenLoop.Result client = OpenLoop.run(url, 1000, Duration.ofSeconds(seconds), 100);
                double producerShare = producer.cpuTime().minus(producerCpu).toMillis() / (seconds * 1000.0);
                double kafkaShare = kafka.cpuTime().minus(kafkaCpu).toMillis() / (seconds * 1000.0);
                double[][] phasesAfter = publishPhases(port);
                progress(String.format(Locale.ROOT, "  CPU while at 1,000/s: producer %.0f%% of a core, Kafka %.0f%%",
                        producerShare * 100, kafkaShare * 100));
                awaitEmpty();
                double[] hop = publishLatency(from);
                progress(String.format(Locale.ROOT, "  accepted -> acked p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms; "
                        + "client p50 %.1f ms, p99 %.1f ms, errors %d", hop[0], hop[1], hop[2], client.p50Millis(),
                        client.p99Millis(), client.errors()));
                figures.add(new Figure("latency", "accepted -> acked by Kafka p50 at 1,000/s", hop[0], "ms", null, null,
                        "<= 10"));
                figures.add(new Figure("latency", "accepted -> acked by Kafka p99 at 1,000/s", hop[1], "ms", null, null,
                        "<= 20"));
                figures.add(new Figure("latency", "accepted -> acked by Kafka p99.9 at 1,000/s", hop[2], "ms", null,
                        null, null));
                figures.add(new Figure("latency", "client POST latency p99 at 1,000/s", client.p99Millis(), "ms", null,
                        null, null));
                // where a cycle's time goes, from the producer's own outbox_publish_phase_seconds: every claim
                // (empty ones included) counts as a claim; send and complete count the batches that had rows
                double claims = phasesAfter[0][0] - phasesBefore[0][0];
                double batches = phasesAfter[1][0] - phasesBefore[1][0];
                figures.add(new Figure("latency", "publish claims per second at 1,000/s", claims / seconds,
                        "claims/s", null, null, null));
                figures.add(new Figure("latency", "publish batches with rows per second at 1,000/s",
                        batches / seconds, "batches/s", null, null, null));
                StringBuilder means = new StringBuilder();
                for (int i = 0; i < PUBLISH_PHASES.size(); i++) {
                    double count = phasesAfter[i][0] - phasesBefore[i][0];
                    double mean = count == 0 ? 0 : (phasesAfter[i][1] - phasesBefore[i][1]) / count * 1000;
                    means.append(String.format(Locale.ROOT, " %s %.1f ms", PUBLISH_PHASES.get(i), mean));
                    figures.add(new Figure("latency", "publish " + PUBLISH_PHASES.get(i) + " mean at 1,000/s", mean,
                            "ms", null, null, null));
                }
                progress(String.format(Locale.ROOT, "  %.0f claims/s, %.0f batches with rows/s; mean", claims / seconds,
                        batches / seconds) + means);
                figures.add(new Figure("latency", "client errors at 1,000/s", client.errors(), "requests", null, null,
                        "0"));
            }
        }
    }

    private void awaitEmpty() throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!outboxEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    /** Exchanges of the outbox-publish timer route so far, from the producer's own camel-micrometer metrics. */
    private static double publishPolls(int port) throws IOException, InterruptedException {
        return sum(prometheus(port), "camel_exchanges_total{", "routeId=\"outbox-publish\"");
    }

    /** The producer's /actuator/prometheus, once. */
    private static String prometheus(int port) throws IOException, InterruptedException {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The sum of the samples whose line starts so and has that label. */
    private static double sum(String prometheus, String start, String label) {
        return prometheus.lines()
                .filter(l -> l.startsWith(start) && l.contains(label))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private static final List<String> PUBLISH_PHASES = List.of("claim", "send", "complete");

    /** Per publish phase, the producer's count and summed seconds so far (outbox_publish_phase_seconds), one scrape. */
    private static double[][] publishPhases(int port) throws IOException, InterruptedException {
        String prometheus = prometheus(port);
        double[][] phases = new double[PUBLISH_PHASES.size()][];
        for (int i = 0; i < phases.length; i++) {
            String label = "phase=\"" + PUBLISH_PHASES.get(i) + "\"";
            phases[i] = new double[] {sum(prometheus, "outbox_publish_phase_seconds_count{", label),
                sum(prometheus, "outbox_publish_phase_seconds_sum{", label)};
        }
        return phases;
    }

    private double[] publishLatency(Instant from) throws SQLException {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement(
                "select percentile_cont(array[0.5, 0.99, 0.999]) within group "
                        + "(order by extract(epoch from published_at - accepted_at) * 1000) "
                        + Pipeline.PUBLISHED_SINCE)) {
            s.setTimestamp(1, java.sql.Timestamp.from(from));
            try (var rs = s.executeQuery()) {
                rs.next();
                Double[] values = (Double[]) rs.getArray(1).getArray();
                return new double[] {values[0], values[1], values[2]};
            }
        }
    }

    private record Drained(double rate, double cpuMillisPer1000) {
    }

    /** More than one publisher holds acknowledged and not yet deleted (lanes x batch size: 2 x 8,000). */
    private static final int IN_FLIGHT_MARGIN = 20_000;

    /**
     * Waits until the outbox is empty or the time is up, and rates the rows published meanwhile. Progress comes from
     * the topic's end offsets, not from counting the outbox: a count(*) of a million-row outbox every 100 ms took
     * more of PostgreSQL than the publisher it measured (sampled wait events of a full drain). The outbox is counted
     * once, before, and only probed for emptiness once the topic is close to holding that many more records (the rows
     * counted include some already on the topic, acknowledged but not yet deleted).
     */
    private Drained awaitDrained(ChildJvm process, String brokers, Duration limit) throws Exception {
        try (TopicRecords topic = new TopicRecords(brokers)) {
            Duration startCpu = process.cpuTime();
            long started = System.nanoTime(); // before the count: rows deleted while it runs are in it
            long deadline = started + limit.toNanos();
            long startRecords = topic.count();
            long startRows = pending();
            long published = 0;
            boolean empty = false;
            while (!empty && System.nanoTime() < deadline) {
                Thread.sleep(100);
                long before = published;
                published = topic.count() - startRecords;
                // near the end, or when publishing stopped (more in flight than the margin, or a stuck publisher)
                empty = (published >= startRows - IN_FLIGHT_MARGIN || published == before) && outboxEmpty();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long done = empty ? startRows : Math.min(published, startRows);
            double cpuMillis = process.cpuTime().minus(startCpu).toMillis();
            double rate = done / seconds;
            progress(String.format(Locale.ROOT, "  %d rows in %.1f s: %.0f events/s, %.1f CPU-ms per 1,000", done,
                    seconds, rate, cpuMillis / Math.max(1, done) * 1000));
            return new Drained(rate, cpuMillis / Math.max(1, done) * 1000);
        }
    }

    private Figure peer(String mode, int rows, String brokers, double ours) throws Exception {
        fill(rows);
        progress("peer: textbook Camel outbox route (" + mode + ") draining " + rows + " rows");
        try (ChildJvm peer = ChildJvm.start("textbook-" + mode, TextbookOutboxRoute.class.getName(), List.of("-Xmx1g"),
                List.of(jdbcUrl, USER, PASSWORD, brokers, mode), "TEXTBOOK ROUTE STARTING", work.resolve("logs"))) {
            peer.awaitReadyLine(Duration.ofSeconds(60));
            Drained drained = awaitDrained(peer, brokers, Duration.ofSeconds(45)); // peers run under a time limit
            clearOutbox();
            return new Figure("drain", "ours vs textbook route (" + mode + ")", ours, "events/s",
                    "textbook Camel route, " + mode + ", " + String.format(Locale.ROOT, "%.1f CPU-ms/1,000",
                    drained.cpuMillisPer1000()), drained.rate(), mode.equals("stock") ? ">= 10x" : "> 1x");
        }
    }

    private double rawKafkaProducer(String brokers, int records) throws Exception {
        progress("raw ceiling: kafka-clients producer, " + records + " records (acks=all, idempotent, lz4)");
        byte[] value = "{\"orderId\":42,\"amount\":19.99,\"note\":\"benchmark\"}".getBytes(StandardCharsets.UTF_8);
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic("bench-raw", 6, (short) 1))).all().get();
        }
        try (var producer = new KafkaProducer<>(Map.<String, Object>of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.BATCH_SIZE_CONFIG, 262144,
                ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4"), new StringSerializer(), new ByteArraySerializer())) {
            // warmed up first, as the publisher is before its drain
            for (int i = 0; i < records / 5; i++) {
                producer.send(new ProducerRecord<>("bench-raw", "key-" + (i % 1000), value));
            }
            producer.flush();
            long started = System.nanoTime();
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>("bench-raw", "key-" + (i % 1000), value));
            }
            producer.flush();
            double rate = records / ((System.nanoTime() - started) / 1e9);
            progress(String.format(Locale.ROOT, "  %.0f records/s", rate));
            return rate;
        }
    }

    private double rawClaimAndDelete() throws SQLException {
        progress(String.format(Locale.ROOT, "raw ceiling: JDBC claim-and-delete of %,d-row batches", PUBLISH_BATCH));
        long rows = 0;
        long started = System.nanoTime();
        try (Connection c = connect(); PreparedStatement claim = c.prepareStatement(
                // the ids as an array: the primary key's index condition at any batch size (joined to a CTE of 8,000
                // ids, PostgreSQL 17 hashed them and scanned the whole outbox: 71,000 rows/s against 175,000-195,000)
                "delete from outbox o where o.id = any(array(select id from outbox order by id limit " + PUBLISH_BATCH
                        + ")) returning o.event_id, o.event_key, o.payload")) {
            while (true) {
                int n = 0;
                try (var rs = claim.executeQuery()) {
                    while (rs.next()) {
                        n++;
                    }
                }
                rows += n;
                if (n == 0) {
                    break;
                }
            }
        }
        double rate = rows / ((System.nanoTime() - started) / 1e9);
        progress(String.format(Locale.ROOT, "  %.0f rows/s", rate));
        return rate;
    }

    /** Fills the outbox (and events) server-side: 1,000 keys, buckets as the producer computes them. */
    private void fill(int rows) throws SQLException {
        progress("filling the outbox with " + rows + " rows");
        KeyBuckets buckets = new KeyBuckets(BUCKETS);
        StringBuilder keys = new StringBuilder("values ");
        for (int k = 0; k < 1000; k++) {
            keys.append(k == 0 ? "" : ",").append("(").append(k).append(",'key-").append(k).append("',")
                    .append(buckets.bucketOf("key-" + k)).append(")");
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("truncate outbox, events, event_publications, publication_batches");
            s.execute("create temporary table k (n int, event_key text, bucket int)");
            s.execute("insert into k " + keys);
            // event ids are UUIDv7 in accept order (time first, then a counter), as the producer assigns them;
            // outbox ids follow the same order, as commits give them
            s.execute("insert into events (event_id, topic, event_key, payload, accepted_at, accepted_by) "
                    + "select " + uuidV7("g") + ", 'shared-events', k.event_key, "
                    + "'{\"orderId\":' || g || ',\"amount\":19.99}', now(), 'bench' "
                    + "from generate_series(1, " + rows + ") g join k on k.n = g % 1000 order by g");
            s.execute("insert into outbox (event_id, bucket, topic, event_key, payload, accepted_at, accepted_by) "
                    + "select e.event_id, k.bucket, e.topic, e.event_key, e.payload, e.accepted_at, e.accepted_by "
                    + "from events e join k on k.event_key = e.event_key order by e.event_id");
            s.execute("vacuum analyze outbox");
        }
    }

    /** Empties the outbox, and the publication batches of earlier scenarios that later reads would unnest. */
    private void clearOutbox() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("truncate outbox, publication_batches");
        }
    }

    private boolean outboxEmpty() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             var rs = s.executeQuery("select not exists (select from outbox)")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private long pending() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement();
             var rs = s.executeQuery("select count(*) from outbox")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A consumer service from its runnable jar, as deployed: group, topics and database from its settings. */
    ChildJvm consumer(String name, String group, int port, String brokers, String topics, String... extra)
            throws IOException {
        Path jar;
        try (var jars = Files.list(Path.of("routes-consumer/target"))) {
            jar = jars.filter(p -> p.getFileName().toString().endsWith("-exec.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("build routes-consumer first (scripts/bench.sh does)"));
        }
        List<String> args = new ArrayList<>(List.of("--server.port=" + port, "--KAFKA_CONSUMER_GROUP=" + group,
                "--KAFKA_TOPICS=" + topics, "--SERVICE_ID=" + name, "--spring.datasource.url=" + jdbcUrl,
                "--spring.datasource.username=" + USER, "--spring.datasource.password=" + PASSWORD,
                "--outbox.kafka.bootstrap-servers=" + brokers));
        args.addAll(List.of(extra));
        args.addAll(settingsFromEnvironment("BENCH_CONSUMER_ARGS"));
        return ChildJvm.startJar(name, jar, List.of("-Xmx512m"), args, work.resolve("logs"));
    }

    ChildJvm producer(String name, int port, boolean publisher, String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=" + port,
                "--spring.datasource.url=" + jdbcUrl, "--spring.datasource.username=" + USER,
                "--spring.datasource.password=" + PASSWORD, "--outbox.publisher.enabled=" + publisher,
                "--SERVICE_ID=" + name));
        args.addAll(List.of(extra));
        args.addAll(settingsFromEnvironment("BENCH_PRODUCER_ARGS"));
        return ChildJvm.start(name, "dev.outbox.producer.ProducerApplication", List.of("-Xmx512m"), args, null,
                work.resolve("logs"));
    }

    /** Extra service arguments for a tuning run, e.g. BENCH_PRODUCER_ARGS="--outbox.publisher.lanes=8". */
    private static List<String> settingsFromEnvironment(String variable) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl, USER, PASSWORD);
    }

    // ---------------------------------------------------------------- report

    private void report(Path directory) throws IOException {
        Files.createDirectories(directory);
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("when", Instant.now().toString());
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("memoryBytes", ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize());
        root.put("cpu", cpuModel());
        root.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        root.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        root.put("commit", gitCommit());
        root.put("postgres", "17, fsync=on, synchronous_commit=on, full_page_writes=on");
        root.put("quick", quick);
        ArrayNode items = root.putArray("figures");
        StringBuilder md = new StringBuilder("| scenario | measure | value | compared to | reference | ratio | target |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (Figure f : figures) {
            ObjectNode item = items.addObject();
            item.put("scenario", f.scenario()).put("measure", f.measure()).put("value", f.value()).put("unit", f.unit());
            item.put("comparedTo", f.comparedTo());
            if (f.reference() != null) {
                item.put("reference", f.reference());
                item.put("ratio", f.ratio());
            }
            item.put("target", f.target());
            md.append(String.format(Locale.ROOT, "| %s | %s | %,.1f %s | %s | %s | %s | %s |%n", f.scenario(), f.measure(),
                    f.value(), f.unit(), f.comparedTo() == null ? "" : f.comparedTo(),
                    f.reference() == null ? "" : String.format(Locale.ROOT, "%,.0f", f.reference()),
                    f.ratio() == null ? "" : String.format(Locale.ROOT, "%.2f", f.ratio()),
                    f.target() == null ? "" : f.target()));
        }
        Files.writeString(directory.resolve("latest.json"), mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        Files.writeString(directory.resolve("latest.md"), md.toString());
        System.out.println();
        System.out.println(md);
        System.out.println("written to " + directory.resolve("latest.json") + " and latest.md");
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String gitCommit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").start();
            return new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    static void progress(String line) {
        System.out.println("[bench " + java.time.LocalTime.now().withNano(0) + "] " + line);
        System.out.flush();
    }
}
