package dev.outbox.producer.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: concurrent requests are written together, one statement and one commit for the whole group,
 * so that one WAL flush serves many requests. Each request is answered only after the commit that holds its
 * own events, and a group that fails is retried request by request, so one bad request cannot fail the others.
 */
public class GroupCommitter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    private final EventStore store;
    private final int maxGroupEvents;
    private final BlockingQueue<Submission> queue = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>();
    private volatile boolean running = true;

    private record Submission(List<IngestRequest> events, CompletableFuture<List<AcceptedEvent>> result) {
    }

    public GroupCommitter(EventStore store, int writerThreads, int maxGroupEvents) {
        this.store = store;
        this.maxGroupEvents = maxGroupEvents;
        for (int i = 0; i < writerThreads; i++) {
            Thread writer = new Thread(this::run, "ingest-group-commit-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
    }

    /** Commits the events (all or none) together with whatever else is waiting, and returns them in order. */
    public List<AcceptedEvent> accept(List<IngestRequest> events) {
        CompletableFuture<List<AcceptedEvent>> result = new CompletableFuture<>();
        queue.add(new Submission(events, result));
        try {
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the commit", e);
        }
    }

    private void run() {
        while (running) {
            List<Submission> group = new ArrayList<>();
            try {
                group.add(queue.take());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            int events = group.get(0).events().size();
            Submission next;
            // a soft bound: the last submission taken may carry the group past maxGroupEvents by one request
            while (events < maxGroupEvents && (next = queue.poll()) != null) {
                group.add(next);
                events += next.events().size();
            }
            commit(group, events);
        }
    }

    private void commit(List<Submission> group, int events) {
        List<IngestRequest> all = new ArrayList<>(events);
        group.forEach(s -> all.addAll(s.events()));
        try {
            List<AcceptedEvent> accepted = store.accept(all);
            int from = 0;
            for (Submission submission : group) {
                int to = from + submission.events().size();
                submission.result().complete(accepted.subList(from, to));
                from = to;
            }
        } catch (RuntimeException groupFailure) {
            if (group.size() == 1) {
                group.get(0).result().completeExceptionally(groupFailure);
                return;
            }
            LOG.warn("Group commit failed, committing its {} requests one by one: {}", group.size(),
                    groupFailure.toString());
            for (Submission submission : group) {
                try {
                    submission.result().complete(store.accept(submission.events()));
                } catch (RuntimeException failure) {
                    submission.result().completeExceptionally(failure);
                }
            }
        } catch (Error fatal) {
            group.forEach(s -> s.result().completeExceptionally(fatal));
            throw fatal;
        }
    }

    @Override
    public void close() {
        running = false;
        writers.forEach(Thread::interrupt);
        Submission left;
        while ((left = queue.poll()) != null) {
            left.result().completeExceptionally(new IllegalStateException("shutting down; nothing was written"));
        }
    }
}
