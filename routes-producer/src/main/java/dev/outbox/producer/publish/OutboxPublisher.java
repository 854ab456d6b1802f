package dev.outbox.producer.publish;

import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

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
 * and once every acknowledgement arrived, delete the acknowledged rows in one statement (DESIGN.md promise 2:
 * a row leaves the outbox only after Kafka acknowledged it).
 *
 * <p>Pipelined across buckets: a batch is completed on a completer thread once its acknowledgements arrived,
 * while the publish route goes on claiming from the buckets that have nothing in flight. So a commit waits for the
 * claim in progress, not for the Kafka round trip and the completion of the batch before it. At most
 * {@code 2 x lanes} batches are in flight.
 *
 * <p>Per-key order: rows are claimed and sent in id order per bucket, by the bucket's only owner, with an
 * idempotent producer, and a bucket has at most one batch in flight: its next rows are claimed only after the
 * batch before them was completed. When a row fails, the rows of its bucket after it stay in the outbox and the
 * bucket is blocked until the failed row's retry is due, so nothing in that bucket overtakes it. Buckets are
 * released only when nothing is in flight.
 */
public class OutboxPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxPublisher.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final byte[] VERSION = OutboxHeaders.CURRENT_VERSION.getBytes(StandardCharsets.UTF_8);
    private static final byte[] JSON = OutboxHeaders.JSON.getBytes(StandardCharsets.UTF_8);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final OutboxRepository repository;
    private final BucketLeases leases;
    private final Producer<String, byte[]> producer;
    private final PublisherMetrics metrics;
    private final int batchSize;
    private final int maxAttempts;
    private final Backoff backoff;
    private final int laneCount;
    private final ExecutorService laneThreads;
    private final ExecutorService completers;
    private final Semaphore inFlightPermits;
    private final Map<Long, Sent> inFlight = new ConcurrentHashMap<>();
    private final AtomicLong batches = new AtomicLong();
    private volatile boolean stopping;

    public OutboxPublisher(OutboxRepository repository, BucketLeases leases, Producer<String, byte[]> producer,
                           PublisherMetrics metrics, int batchSize, int maxAttempts, Backoff backoff, int lanes) {
        this.repository = repository;
        this.leases = leases;
        this.producer = producer;
        this.metrics = metrics;
        this.batchSize = batchSize;
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
        this.laneCount = Math.max(1, lanes);
        this.laneThreads = Executors.newFixedThreadPool(laneCount, daemon("outbox-publish-lane"));
        this.completers = Executors.newFixedThreadPool(laneCount, daemon("outbox-publish-completer"));
        this.inFlightPermits = new Semaphore(2 * laneCount);
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Claims and sends batches while any comes back full, or while a full batch is in flight (its buckets are
     * claimed again once it is completed); returns the number of rows sent. The owned buckets are split into
     * lanes (bucket modulo lanes) claimed in parallel: lanes never share a bucket.
     */
    public int drain() {
        int sent = 0;
        boolean firstRound = true;
        while (!stopping) {
            if (leases.releasesPending()) {
                awaitInFlight(); // never give up a bucket while its rows are on their way
                leases.applyReleases();
            }
            Map<Integer, Long> fences = leases.owned();
            if (fences.isEmpty()) {
                break;
            }
            // the first round is one claim over every bucket, so an idle poll costs one query, not one per lane
            List<Integer> claimed = firstRound
                    ? List.of(claimAndSend(fences.keySet(), fences))
                    : claimLanes(lanesOf(fences.keySet()), fences);
            firstRound = false;
            // again while any lane came back full (a hot key keeps its lane busy while the others run dry); a
            // failed row blocks its bucket when its batch is completed, and the claims after that skip it
            boolean again = false;
            for (int rows : claimed) {
                sent += rows;
                again |= rows == batchSize;
            }
            if (!again) {
                Optional<Sent> full = inFlight.values().stream().filter(b -> b.rows().size() == batchSize).findAny();
                if (full.isEmpty()) {
                    break;
                }
                full.get().completed().join(); // a backlog: its buckets have more rows once it is completed
            }
        }
        return sent;
    }

    private List<Set<Integer>> lanesOf(Set<Integer> buckets) {
        List<Set<Integer>> lanes = new ArrayList<>();
        for (int lane = 0; lane < laneCount; lane++) {
            Set<Integer> members = new HashSet<>();
            for (Integer bucket : buckets) {
                if (bucket % laneCount == lane) {
                    members.add(bucket);
                }
            }
            if (!members.isEmpty()) {
                lanes.add(members);
            }
        }
        return lanes;
    }

    private List<Integer> claimLanes(List<Set<Integer>> lanes, Map<Integer, Long> fences) {
        if (lanes.size() <= 1) {
            return lanes.stream().map(lane -> claimAndSend(lane, fences)).toList();
        }
        List<CompletableFuture<Integer>> running = lanes.stream()
                .map(lane -> CompletableFuture.supplyAsync(() -> claimAndSend(lane, fences), laneThreads))
                .toList();
        return running.stream().map(CompletableFuture::join).toList();
    }

    /**
     * Asks a running {@link #drain()} to return after its current claim, then waits (up to 10 s) for the batches
     * in flight to be completed; rows of a batch abandoned after that stay in the outbox and are sent again by the
     * next owner (graceful shutdown).
     */
    public void stop() {
        stopping = true;
        laneThreads.shutdown();
        try {
            CompletableFuture.allOf(inFlight.values().stream().map(Sent::completed).toArray(CompletableFuture[]::new))
                    .get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warn("Stopped with batches still in flight count={}; their rows stay in the outbox", inFlight.size());
        } catch (ExecutionException e) {
            LOG.warn("Completing the last batches failed; their rows stay in the outbox", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        completers.shutdown();
    }

    /** A batch on its way: its rows and their acknowledgements, the fences it was claimed under. */
    private record Sent(long number, List<OutboxRow> rows, List<CompletableFuture<Ack>> acks, Map<Integer, Long> fences,
                        CompletableFuture<Void> completed) {
    }

    /**
     * Claims a batch of the given buckets that have nothing in flight and sends it; it is completed once its
     * acknowledgements arrived. Returns the rows claimed.
     */
    int claimAndSend(Set<Integer> buckets, Map<Integer, Long> fences) {
        Set<Integer> idle = new HashSet<>(buckets);
        inFlight.values().forEach(batch -> batch.rows().forEach(row -> idle.remove(row.bucket())));
        if (idle.isEmpty() || !acquireInFlightPermit()) {
            return 0;
        }
        boolean sending = false;
        try {
            List<OutboxRow> rows = repository.claim(idle, batchSize);
            if (rows.isEmpty()) {
                return 0;
            }
            Sent batch = new Sent(batches.incrementAndGet(), rows, send(rows), fences, new CompletableFuture<>());
            inFlight.put(batch.number(), batch);
            sending = true;
            CompletableFuture.allOf(batch.acks().toArray(CompletableFuture[]::new))
                    .handle((ignored, failure) -> null) // each row's outcome is read in complete()
                    .thenRunAsync(() -> complete(batch), completers);
            return rows.size();
        } finally {
            if (!sending) {
                inFlightPermits.release();
            }
        }
    }

    private boolean acquireInFlightPermit() {
        try {
            while (!stopping) {
                if (inFlightPermits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** Waits until every batch sent so far is completed. */
    private void awaitInFlight() {
        inFlight.values().forEach(batch -> batch.completed().join());
    }

    /**
     * On a completer thread, once every record of the batch was acknowledged or failed: schedules the retry of
     * each bucket's first failed row, leaves the rows after it in the outbox, deletes the acknowledged rows.
     */
    private void complete(Sent batch) {
        try {
            List<OutboxRepository.Published> published = new ArrayList<>(batch.rows().size());
            Set<Integer> failedBuckets = new HashSet<>();
            for (int i = 0; i < batch.rows().size(); i++) {
                OutboxRow row = batch.rows().get(i);
                if (failedBuckets.contains(row.bucket())) {
                    continue; // stays in the outbox, behind the failed row of its bucket
                }
                try {
                    Ack ack = batch.acks().get(i).join();
                    published.add(new OutboxRepository.Published(row, Timestamp.from(ack.at()),
                            ack.metadata().partition(), ack.metadata().offset()));
                } catch (CompletionException e) {
                    failedBuckets.add(row.bucket());
                    handleFailure(row, e.getCause());
                }
            }
            int marked = repository.complete(published, batch.fences(), leases.instanceId());
            if (marked < published.size()) {
                LOG.warn("Fenced out: buckets changed owner mid-batch, rows left for the new owner acked={} "
                        + "completed={} instance={}", published.size(), marked, leases.instanceId());
            }
            metrics.published(published, marked);
        } catch (RuntimeException e) {
            LOG.warn("Could not complete a sent batch of {} rows; they stay in the outbox and are sent again: {}",
                    batch.rows().size(), e.toString());
        } finally {
            inFlight.remove(batch.number());
            inFlightPermits.release();
            batch.completed().complete(null);
        }
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
