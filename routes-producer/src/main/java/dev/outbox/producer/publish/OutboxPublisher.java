package dev.outbox.producer.publish;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.outbox.shared.OutboxHeaders;
import dev.outbox.shared.Timestamps;

/**
 * Publishes the outbox rows of the buckets this instance owns: claim a batch, send it all asynchronously,
 * wait for every acknowledgement, then delete the acknowledged rows in one statement (DESIGN.md promise 2:
 * a row leaves the outbox only after Kafka acknowledged it).
 *
 * <p>Per-key order: rows are claimed and sent in id order per bucket, by the bucket's only owner, with an
 * idempotent producer. When a row fails, the rows of its bucket after it stay in the outbox and the bucket
 * is blocked until the failed row's retry is due, so nothing in that bucket overtakes it.
 */
public class OutboxPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] VERSION = OutboxHeaders.CURRENT_VERSION.getBytes(StandardCharsets.UTF_8);
    private static final byte[] JSON = OutboxHeaders.JSON.getBytes(StandardCharsets.UTF_8);
    /** How often the owned buckets' heads are checked against their claim floors (BucketFloors). */
    private static final Duration FLOOR_CHECK = Duration.ofSeconds(10);

    private final OutboxRepository repository;
    private final BucketLeases leases;
    private final Producer<String, byte[]> producer;
    private final PublisherMetrics metrics;
    private final int batchSize;
    private final int maxAttempts;
    private final Backoff backoff;
    private final int laneCount;
    private final ExecutorService laneThreads;
    private final BucketFloors floors;
    private volatile boolean stopping;

    public OutboxPublisher(OutboxRepository repository, BucketLeases leases, Producer<String, byte[]> producer,
                           PublisherMetrics metrics, int batchSize, int maxAttempts, Backoff backoff, int lanes) {
        this(repository, leases, producer, metrics, batchSize, maxAttempts, backoff, lanes, FLOOR_CHECK);
    }

    OutboxPublisher(OutboxRepository repository, BucketLeases leases, Producer<String, byte[]> producer,
                    PublisherMetrics metrics, int batchSize, int maxAttempts, Backoff backoff, int lanes,
                    Duration floorCheck) {
        this.floors = new BucketFloors(floorCheck);
        this.repository = repository;
        this.leases = leases;
        this.producer = producer;
        this.metrics = metrics;
        this.batchSize = batchSize;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.laneCount = Math.max(1, lanes);
        this.laneThreads = Executors.newFixedThreadPool(laneCount, runnable -> {
            Thread thread = new Thread(runnable, "outbox-publish-lane");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Publishes rounds while a claim comes back full; returns the number of rows published. A round is one claim
     * over every owned bucket (up to batch size x lanes rows, in id order), split into lanes that never share a
     * bucket and are published in parallel: each bucket keeps its single, ordered publisher, while one lane's
     * database work overlaps another's wait for acks.
     */
    public int drain() {
        try {
            return drainOwned();
        } catch (RuntimeException e) {
            floors.forget(); // the database may come back restored, or as a standby that was behind
            throw e;
        }
    }

    private int drainOwned() {
        int total = 0;
        while (!stopping) {
            leases.applyReleases();
            Map<Integer, Long> fences = leases.owned();
            if (fences.isEmpty()) {
                break;
            }
            if (floors.checkDue()) {
                floors.check(repository.heads(fences.keySet()), repository.identityCache());
            }
            Round round = publishRound(fences);
            total += round.published();
            // a round with a failure has its buckets blocked by then; the timer's next poll carries on
            if (round.claimed() < batchSize * laneCount || round.failed() > 0) {
                break;
            }
        }
        return total;
    }

    /** Stops a running {@link #drain()} after its current round (graceful shutdown). */
    public void stop() {
        stopping = true;
        laneThreads.shutdown();
    }

    record Round(int claimed, int published, int failed) {
    }

    /**
     * One claim read by every lane: a claim per lane walked the same outbox pages once per lane (the lanes'
     * buckets interleave in id order), which was the largest part of the database's time in a drain.
     */
    Round publishRound(Map<Integer, Long> fences) {
        Set<Integer> buckets = fences.keySet();
        long started = System.nanoTime();
        OutboxRepository.Claim claim = repository.claim(buckets, floors.floorOf(buckets), batchSize * laneCount);
        metrics.claimTook(System.nanoTime() - started);
        if (claim.rows().isEmpty()) {
            return new Round(0, 0, 0);
        }
        List<List<OutboxRow>> lanes = lanesOf(claim.rows(), laneCount, batchSize);
        List<Lane> results;
        if (lanes.size() == 1) {
            results = List.of(publishLane(lanes.get(0), fences));
        } else {
            List<CompletableFuture<Lane>> running = lanes.stream()
                    .map(lane -> CompletableFuture.supplyAsync(() -> publishLane(lane, fences), laneThreads))
                    .toList();
            results = running.stream().map(CompletableFuture::join).toList();
        }
        Set<Integer> unlearned = new HashSet<>();
        long completion = 0;
        int published = 0;
        int failed = 0;
        for (Lane lane : results) {
            published += lane.published();
            failed += lane.failedBuckets().size();
            unlearned.addAll(lane.failedBuckets());
            if (lane.fencedOut()) {
                unlearned.addAll(lane.buckets());
            } else {
                completion = Math.max(completion, lane.transactionId());
            }
        }
        floors.learn(buckets, claim, unlearned, completion);
        return new Round(claim.rows().size(), published, failed);
    }

    /**
     * The claimed rows split by bucket into at most {@code lanes} lanes of about batch size rows each, each in id
     * order: buckets by size, each to the lane holding the fewest rows so far (a round lasts as long as its
     * longest lane; a bucket is never split, so a hot one makes its lane longer). A few rows make one lane: one
     * completion, as few statements as the rows need.
     */
    static List<List<OutboxRow>> lanesOf(List<OutboxRow> rows, int laneCount, int batchSize) {
        int count = Math.min(laneCount, (rows.size() + batchSize - 1) / batchSize);
        if (count <= 1) {
            return List.of(rows);
        }
        Map<Integer, Integer> sizes = new HashMap<>();
        rows.forEach(row -> sizes.merge(row.bucket(), 1, Integer::sum));
        int[] laneSizes = new int[count];
        Map<Integer, Integer> laneOf = new HashMap<>();
        sizes.entrySet().stream()
                .sorted(Map.Entry.<Integer, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(bucket -> {
                    int smallest = 0;
                    for (int lane = 1; lane < count; lane++) {
                        smallest = laneSizes[lane] < laneSizes[smallest] ? lane : smallest;
                    }
                    laneSizes[smallest] += bucket.getValue();
                    laneOf.put(bucket.getKey(), smallest);
                });
        List<List<OutboxRow>> lanes = new ArrayList<>(count);
        for (int lane = 0; lane < count; lane++) {
            lanes.add(new ArrayList<>(laneSizes[lane]));
        }
        rows.forEach(row -> lanes.get(laneOf.get(row.bucket())).add(row));
        lanes.removeIf(List::isEmpty); // fewer buckets than lanes
        return lanes;
    }

    /**
     * What one lane did: rows deleted from the outbox, buckets with a failed row (rows after it stay), and its
     * completion (the transaction BucketFloors waits for), or that it was fenced out of buckets that changed owner.
     */
    private record Lane(Set<Integer> buckets, int published, Set<Integer> failedBuckets, boolean fencedOut,
                        long transactionId) {
    }

    private Lane publishLane(List<OutboxRow> rows, Map<Integer, Long> fences) {
        long started = System.nanoTime();
        List<CompletableFuture<Ack>> acks = send(rows);
        // flush() also sends what the other lanes queued: the lanes' rounds stay in step and share produce requests
        // (lanes run on their own without it drained 21,567/s against 36,443/s with it, on 2 cores)
        producer.flush();

        List<OutboxRepository.Published> published = new ArrayList<>(rows.size());
        Set<Integer> buckets = rows.stream().map(OutboxRow::bucket).collect(Collectors.toSet());
        Set<Integer> failedBuckets = new HashSet<>();
        for (int i = 0; i < rows.size(); i++) {
            OutboxRow row = rows.get(i);
            if (failedBuckets.contains(row.bucket())) {
                continue; // stays in the outbox, behind the failed row of its bucket
            }
            try {
                Ack ack = acks.get(i).get();
                published.add(new OutboxRepository.Published(row, ack.at(), ack.metadata().partition(),
                        ack.metadata().offset()));
            } catch (ExecutionException e) {
                failedBuckets.add(row.bucket());
                handleFailure(row, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Lane(buckets, 0, buckets, true, 0);
            }
        }
        long acknowledged = System.nanoTime();
        metrics.sendTook(acknowledged - started);
        OutboxRepository.Completion completion = repository.complete(published, fences, leases.instanceId());
        metrics.completeTook(System.nanoTime() - acknowledged);
        int marked = completion.completed();
        boolean fencedOut = marked < published.size();
        if (fencedOut) {
            LOG.warn("Fenced out: buckets changed owner mid-batch, rows left for the new owner acked={} completed={} "
                    + "instance={}", published.size(), marked, leases.instanceId());
        }
        metrics.published(published, marked);
        return new Lane(buckets, marked, failedBuckets, fencedOut, completion.transactionId());
    }

    /** Kafka's acknowledgement of one record and when it arrived (the event's publishedAt). */
    private record Ack(RecordMetadata metadata, Instant at) {
    }

    private List<CompletableFuture<Ack>> send(List<OutboxRow> rows) {
        List<CompletableFuture<Ack>> acks = new ArrayList<>(rows.size());
        RuntimeException sendFailure = null;
        for (OutboxRow row : rows) {
            CompletableFuture<Ack> ack = new CompletableFuture<>();
            acks.add(ack);
            if (sendFailure != null) {
                ack.completeExceptionally(sendFailure); // the producer cannot send now: do not wait per record
                continue;
            }
            try {
                producer.send(record(row), (metadata, exception) -> {
                    if (exception != null) {
                        ack.completeExceptionally(exception);
                    } else {
                        ack.complete(new Ack(metadata, Instant.now()));
                    }
                });
            } catch (RuntimeException e) {
                sendFailure = e;
                ack.completeExceptionally(e);
            }
        }
        return acks;
    }

    static ProducerRecord<String, byte[]> record(OutboxRow row) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(OutboxHeaders.EVENT_ID, row.eventId().toString().getBytes(StandardCharsets.UTF_8));
        headers.add(OutboxHeaders.ACCEPTED_AT, Timestamps.format(row.acceptedAt()).getBytes(StandardCharsets.UTF_8));
        headers.add(OutboxHeaders.PRODUCER, row.acceptedBy().getBytes(StandardCharsets.UTF_8));
        headers.add(OutboxHeaders.VERSION, VERSION);
        headers.add(OutboxHeaders.CONTENT_TYPE, JSON);
        if (row.traceparent() != null) {
            headers.add(OutboxHeaders.TRACEPARENT, row.traceparent().getBytes(StandardCharsets.UTF_8));
        }
        if (row.headers() != null) {
            try {
                JsonNode user = MAPPER.readTree(row.headers());
                user.fields().forEachRemaining(h -> headers.add(h.getKey(),
                        h.getValue().asText().getBytes(StandardCharsets.UTF_8)));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("stored headers of event " + row.eventId() + " are not JSON", e);
            }
        }
        return new ProducerRecord<>(row.topic(), null, row.key(), row.payload().getBytes(StandardCharsets.UTF_8),
                headers);
    }

    private void handleFailure(OutboxRow row, Throwable failure) {
        FailureKind kind = FailureKind.of(failure);
        String reason = FailureKind.reason(failure);
        int attempt = row.attempts() + 1;
        metrics.failed(reason);
        if (kind == FailureKind.PERMANENT && attempt >= maxAttempts) {
            repository.deadLetter(row, reason + ": " + failure.getMessage());
            metrics.deadLettered();
            LOG.warn("Dead-lettered event={} bucket={} attempts={} reason={}", row.eventId(), row.bucket(), attempt,
                    reason);
            return;
        }
        Duration delay = backoff.delay(attempt);
        repository.scheduleRetry(row, delay, reason + ": " + failure.getMessage());
        LOG.warn("Publish failed event={} bucket={} attempt={} kind={} reason={} retryIn={}ms", row.eventId(),
                row.bucket(), attempt, kind, reason, delay.toMillis());
    }
}
