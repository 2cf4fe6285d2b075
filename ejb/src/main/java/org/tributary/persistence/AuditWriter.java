package org.tributary.persistence;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import org.tributary.audit.AuditEvent;
import org.tributary.audit.AuditSink;

/**
 * The audit sink the broker calls: events go into a bounded queue at once, and one background
 * thread writes them to the {@link AuditTrail} in batches, purges rows older than the retention
 * time every hour, and runs the start-up tasks it is given (the first admin) until they succeed.
 * A full queue or a database that is down drops events: they are counted ({@link #dropped()}),
 * and one line per minute says so; a caller never waits.
 */
public final class AuditWriter implements AuditSink, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(AuditWriter.class.getName());
    private static final int BATCH = 500;
    private static final long PURGE_EVERY_MS = 3_600_000L;
    private static final long COMPLAIN_EVERY_MS = 60_000L;

    private final AuditTrail trail;
    private final BlockingQueue<AuditEvent> queue;
    private final long retentionMs;
    private final Clock clock;
    private final List<StartupTask> startup;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final Thread worker;
    private volatile boolean stopping;
    private long lastComplaintMs = Long.MIN_VALUE / 2;
    private long lastPurgeMs = Long.MIN_VALUE / 2;

    /** Work that needs the database once, retried each minute until it returns without an exception. */
    @FunctionalInterface
    public interface StartupTask {
        void run() throws Exception;
    }

    public AuditWriter(AuditTrail trail, int capacity, long retentionMs, Clock clock, List<StartupTask> startup, ThreadFactory threads) {
        this.trail = trail;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.retentionMs = retentionMs;
        this.clock = clock;
        this.startup = new ArrayList<>(startup);
        this.worker = threads.newThread(this::run);
        worker.setName("tributary-audit-writer");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public void record(AuditEvent event) {
        if (stopping || !queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /** Events lost because the queue was full or the database refused them. */
    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    /** True when nothing waits to be written (tests). */
    public boolean idle() {
        return queue.isEmpty() && startup.isEmpty();
    }

    private void run() {
        List<AuditEvent> batch = new ArrayList<>(BATCH);
        while (!stopping || !queue.isEmpty()) {
            try {
                runStartupTasks();
                purgeWhenDue();
                AuditEvent first = queue.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, BATCH - 1);
                write(batch);
            } catch (InterruptedException e) {
                if (!stopping) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } finally {
                batch.clear();
            }
        }
    }

    private void write(List<AuditEvent> batch) throws InterruptedException {
        try {
            trail.append(batch);
            written.addAndGet(batch.size());
        } catch (RuntimeException e) {
            long lost = dropped.addAndGet(batch.size());
            complain("cannot write " + batch.size() + " audit event(s) (" + lost + " dropped so far): " + firstLine(e));
            if (!stopping) {
                Thread.sleep(1000); // do not spin against a database that is down
            }
        }
    }

    private void runStartupTasks() {
        if (startup.isEmpty() || clock.millis() - lastComplaintMs < COMPLAIN_EVERY_MS && lastComplaintMs > 0) {
            return;
        }
        try {
            while (!startup.isEmpty()) {
                startup.get(0).run();
                startup.remove(0);
            }
        } catch (Exception e) {
            complain("cannot reach the database (will retry each minute): " + firstLine(e));
        }
    }

    private void purgeWhenDue() {
        long now = clock.millis();
        if (now - lastPurgeMs < PURGE_EVERY_MS) {
            return;
        }
        lastPurgeMs = now;
        try {
            int n = trail.purgeBefore(now - retentionMs);
            if (n > 0) {
                LOG.info("TRIB-DB-002 audit trail: removed " + n + " event(s) older than " + (retentionMs / 86_400_000L) + " day(s)");
            }
        } catch (RuntimeException e) {
            lastPurgeMs = now - PURGE_EVERY_MS + COMPLAIN_EVERY_MS; // try again in a minute
            complain("cannot purge old audit events: " + firstLine(e));
        }
    }

    private void complain(String what) {
        long now = clock.millis();
        if (now - lastComplaintMs >= COMPLAIN_EVERY_MS) {
            lastComplaintMs = now;
            LOG.warning("TRIB-DB-001 " + what);
        }
    }

    private static String firstLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getClass().getSimpleName() + ": " + root.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Writes what is queued (for up to 10 s), then stops the thread. */
    @Override
    public void close() {
        stopping = true;
        try {
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (worker.isAlive()) {
            worker.interrupt();
        }
    }
}
