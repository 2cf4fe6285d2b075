package org.tributary.txn;

import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.tributary.util.AtomicFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntToLongFunction;
import java.util.logging.Logger;

/**
 * Hands out producer ids from blocks reserved cluster-wide (see
 * {@code ClusterView.allocateProducerIds}), as Kafka's broker-side producer id manager does: a
 * block is asked for in the background, never on the thread of a request, and the next one once
 * 90 % of the current block is handed out, so a broker keeps handing out ids for a while without a
 * controller. When no id is at hand, {@link #nextProducerId} throws Kafka's retriable
 * COORDINATOR_LOAD_IN_PROGRESS at once (and a block is asked for); the client retries. The first
 * block is asked for at {@link #start}. The end of the last block is also kept in a local file,
 * and blocks below it are skipped, so a restarted single broker never reuses an id even when its
 * cluster view starts counting from scratch. The requests run on one thread of its own, which
 * {@link #close} stops (a block asked for then is not needed any more). Thread-safe.
 */
public final class ProducerIdManager implements AutoCloseable {
    static final int BLOCK_SIZE = 1000;
    /** Handed out from the current block when the next one is asked for. */
    static final int PREFETCH_AT = BLOCK_SIZE * 9 / 10;
    private static final Logger LOG = Logger.getLogger(ProducerIdManager.class.getName());

    private final IntToLongFunction allocator;
    private final Executor fetcher;
    /** {@link #fetcher} when {@link #close} stops it, else null. */
    private final ExecutorService ownThread;
    private final Path floorFile;
    private long floor;
    private long next;
    private long blockEnd;
    /** The block asked for ahead of need, -1 when none is waiting. */
    private long nextBlockStart = -1;
    private boolean fetching;
    private String lastFailure;

    /**
     * Asks {@code allocator} for blocks on one thread of {@code threads} (the broker's factory: the
     * container's managed one under Payara); the end of the last block is kept in {@code floorFile}.
     */
    public ProducerIdManager(IntToLongFunction allocator, java.util.concurrent.ThreadFactory threads, Path floorFile)
            throws IOException {
        this(allocator, Executors.newSingleThreadExecutor(threads), floorFile);
    }

    /**
     * For tests: {@code fetcher} runs the (blocking) requests for blocks; one at a time is ever in
     * flight. {@link #close} shuts it down if it is an {@link ExecutorService}.
     */
    ProducerIdManager(IntToLongFunction allocator, Executor fetcher, Path floorFile) throws IOException {
        this.allocator = allocator;
        this.fetcher = fetcher;
        this.ownThread = fetcher instanceof ExecutorService own ? own : null;
        this.floorFile = floorFile;
        this.floor = Files.exists(floorFile)
                ? Long.parseLong(Files.readString(floorFile, StandardCharsets.US_ASCII).trim()) : 0L;
    }

    /** Asks for the first block, so the first InitProducerId need not wait for one. */
    public synchronized void start() {
        fetch();
    }

    /**
     * The next producer id; throws {@link CoordinatorLoadInProgressException} (retriable) when this
     * broker holds no block yet, after asking for one.
     */
    public synchronized long nextProducerId() {
        if (next >= blockEnd && nextBlockStart >= 0) {
            next = nextBlockStart;
            blockEnd = nextBlockStart + BLOCK_SIZE;
            nextBlockStart = -1;
        }
        if (next >= blockEnd) {
            fetch();
            throw new CoordinatorLoadInProgressException("no producer id block at this broker yet; one was asked of the controller"
                    + (lastFailure == null ? "" : " (the last request failed: " + lastFailure + ")") + "; retry");
        }
        long id = next++;
        if (nextBlockStart < 0 && next - (blockEnd - BLOCK_SIZE) >= PREFETCH_AT) {
            fetch();
        }
        return id;
    }

    /** Stops the thread asking for blocks (interrupting a request in flight); ids already held are still handed out. */
    @Override
    public void close() {
        if (ownThread != null) {
            ownThread.shutdownNow();
        }
    }

    private void fetch() {
        if (fetching) {
            return;
        }
        fetching = true;
        long above = floor;
        try {
            fetcher.execute(() -> fetchBlock(above));
        } catch (RejectedExecutionException stopping) {
            fetching = false;
        }
    }

    private void fetchBlock(long above) {
        long start;
        try {
            start = allocator.applyAsLong(BLOCK_SIZE);
            for (int tries = 0; start < above && tries < 1_000_000; tries++) {
                start = allocator.applyAsLong(BLOCK_SIZE);
            }
            if (start < above) {
                throw new IllegalStateException("the producer id allocator keeps returning ids below " + above);
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                fetching = false;
                lastFailure = e.getMessage() == null ? e.toString() : e.getMessage();
            }
            LOG.fine(() -> "TRIB-TXN-030 no producer id block from the controller: " + e);
            return;
        }
        synchronized (this) {
            fetching = false;
            lastFailure = null;
            floor = Math.max(floor, start + BLOCK_SIZE);
            persistFloor();
            if (next >= blockEnd) {
                next = start;
                blockEnd = start + BLOCK_SIZE;
            } else {
                nextBlockStart = start;
            }
        }
    }

    private void persistFloor() {
        try {
            AtomicFile.write(floorFile, Long.toString(floor).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record producer id block in " + floorFile, e);
        }
    }
}
