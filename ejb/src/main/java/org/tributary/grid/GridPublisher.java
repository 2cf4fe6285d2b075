package org.tributary.grid;

import com.hazelcast.core.HazelcastInstance;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.logging.Logger;
import org.tributary.metadata.MetadataImage;

/**
 * Publishes each committed image into the grid ({@link PublishedMetadata}) while this node is the
 * active controller. Images arrive on the metadata publisher thread and are handed to one publishing
 * thread; when several arrive while one is being written, only the newest is written next.
 *
 * <p>Thread-safe.
 */
public final class GridPublisher implements Consumer<MetadataImage>, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GridPublisher.class.getName());

    private final HazelcastInstance hz;
    private final String clusterId;
    private final int localId;
    private final IntSupplier leaderId;
    private final ExecutorService thread;
    private final AtomicReference<MetadataImage> latest = new AtomicReference<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    public GridPublisher(HazelcastInstance hz, String clusterId, int localId, IntSupplier leaderId, ThreadFactory threads) {
        this.hz = hz;
        this.clusterId = clusterId;
        this.localId = localId;
        this.leaderId = leaderId;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = threads.newThread(r);
            t.setName("tributary-grid-publisher");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public void accept(MetadataImage image) {
        latest.set(image);
        if (scheduled.compareAndSet(false, true)) {
            try {
                thread.execute(this::publishLatest);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                scheduled.set(false);
            }
        }
    }

    private void publishLatest() {
        scheduled.set(false);
        MetadataImage image = latest.get();
        if (image == null || leaderId.getAsInt() != localId) {
            return;
        }
        try {
            PublishedMetadata.publish(hz, clusterId, image, localId);
        } catch (RuntimeException e) {
            LOG.fine(() -> "TRIB-0015 Could not publish the metadata at offset " + image.offset() + " into the data grid: " + e);
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
