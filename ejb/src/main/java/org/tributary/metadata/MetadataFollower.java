package org.tributary.metadata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tributary.quorum.ReplicatedStateMachine;

/**
 * A broker's copy of the cluster metadata: the state machine of the metadata quorum. Every
 * committed entry (a batch of {@link MetadataRecord}s) is decoded and applied to the
 * {@link MetadataImage} in log order, on the quorum's apply thread, and {@link #awaitOffset} waiters
 * for that offset are released. Then the new image is handed to the listeners (the replica
 * manager, the grid publisher), after which {@link #awaitPublished} waiters are released: on the
 * publisher thread when there is one, so that their work (the replica manager opens a log per new
 * partition) never holds up the quorum's apply thread, whose progress the active controller waits
 * for on every write; a listener then gets the newest image when it is ready for one and may skip
 * images that a newer one replaced in the meantime. Without a publisher thread (tests) listeners
 * run on the apply thread, before any waiter is released. Snapshots are the image written as
 * records.
 *
 * <p>Thread-safe: {@link #image()} may be read by any thread (one immutable image per request);
 * everything else is called by the quorum, one call at a time.
 */
public final class MetadataFollower implements ReplicatedStateMachine, MetadataStore {
    private static final Logger LOG = Logger.getLogger(MetadataFollower.class.getName());

    /** Told when this member becomes or stops being the quorum leader (the active controller). */
    public interface Leadership {
        void becameLeader(long epoch, MetadataImage committed);

        void resigned(long epoch);
    }

    private final List<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();
    /** Released once an image is this broker's image. */
    private final Waiters applied = new Waiters();
    /** Released once the listeners have been handed an image. */
    private final Waiters published = new Waiters();
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile Leadership leadership;
    /** Runs the listeners off the apply thread; null: they run on it. */
    private final ExecutorService publisher;
    private final AtomicReference<MetadataImage> unpublished = new AtomicReference<>();
    private final AtomicBoolean publishScheduled = new AtomicBoolean();

    /** Listeners run on the quorum's apply thread. */
    public MetadataFollower() {
        this.publisher = null;
    }

    /** Listeners run on one thread of {@code threads}, named tributary-metadata-publisher. */
    public MetadataFollower(ThreadFactory threads) {
        this.publisher = Executors.newSingleThreadExecutor(r -> {
            Thread t = threads.newThread(r);
            t.setName("tributary-metadata-publisher");
            t.setDaemon(true);
            return t;
        });
    }

    public void setLeadership(Leadership leadership) {
        this.leadership = leadership;
    }

    @Override
    public MetadataImage image() {
        return image;
    }

    @Override
    public void addListener(Consumer<MetadataImage> listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        listeners.clear();
        if (publisher != null) {
            publisher.shutdownNow();
        }
        applied.close();
        published.close();
    }

    /** Completes with the image once an entry at or after {@code offset} has been applied here. */
    public CompletableFuture<MetadataImage> awaitOffset(long offset) {
        return applied.await(offset);
    }

    @Override
    public CompletableFuture<MetadataImage> awaitPublished(long offset) {
        return published.await(offset);
    }

    @Override
    public long publishedOffset() {
        return published.reached();
    }

    @Override
    public void apply(long offset, long epoch, byte[] entry) {
        List<MetadataRecord> batch = MetadataCodec.decode(entry);
        publish(MetadataDelta.apply(image, batch, offset, epoch), offset);
    }

    private void publish(MetadataImage next, long offset) {
        image = next;
        if (publisher == null) {
            notifyListeners(next, offset);
            applied.reach(offset, next);
            return;
        }
        applied.reach(offset, next);
        unpublished.set(next);
        if (publishScheduled.compareAndSet(false, true)) {
            try {
                publisher.execute(this::publishNewest);
            } catch (RejectedExecutionException closed) {
                publishScheduled.set(false);
            }
        }
    }

    /** On the publisher thread: hands the newest image not yet published to the listeners. */
    private void publishNewest() {
        publishScheduled.set(false);
        MetadataImage next = unpublished.getAndSet(null);
        if (next != null) {
            notifyListeners(next, next.offset());
        }
    }

    private void notifyListeners(MetadataImage next, long offset) {
        for (Consumer<MetadataImage> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "TRIB-0030 A metadata listener failed on the image at offset " + offset + ": " + e, e);
            }
        }
        published.reach(offset, next);
    }

    /** Futures waiting until an offset is reached, completed with the image that reached it. Thread-safe. */
    private static final class Waiters {
        private final ConcurrentSkipListMap<Long, List<CompletableFuture<MetadataImage>>> byOffset = new ConcurrentSkipListMap<>();
        private volatile long reached = -1;
        private volatile MetadataImage at = MetadataImage.EMPTY;

        long reached() {
            return reached;
        }

        CompletableFuture<MetadataImage> await(long offset) {
            CompletableFuture<MetadataImage> f = new CompletableFuture<>();
            if (reached >= offset) {
                f.complete(at);
                return f;
            }
            byOffset.computeIfAbsent(offset, k -> new CopyOnWriteArrayList<>()).add(f);
            if (reached >= offset) { // reached while registering
                release();
            }
            return f;
        }

        void reach(long offset, MetadataImage image) {
            at = image;
            reached = offset;
            release();
        }

        private void release() {
            long upTo = reached;
            MetadataImage img = at;
            Map<Long, List<CompletableFuture<MetadataImage>>> done = byOffset.headMap(upTo, true);
            for (List<CompletableFuture<MetadataImage>> fs : done.values()) {
                fs.forEach(f -> f.complete(img));
            }
            done.clear();
        }

        void close() {
            byOffset.values().forEach(l -> l.forEach(f -> f.completeExceptionally(new IllegalStateException("metadata closed"))));
            byOffset.clear();
        }
    }

    @Override
    public void writeSnapshot(OutputStream out) throws IOException {
        out.write(MetadataCodec.encode(MetadataSnapshot.records(image)));
    }

    @Override
    public void loadSnapshot(InputStream in, long offset, long epoch) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        in.transferTo(buf);
        List<MetadataRecord> records = MetadataCodec.decode(buf.toByteArray());
        publish(MetadataSnapshot.load(records, offset, epoch), offset);
    }

    @Override
    public long lastAppliedOffset() {
        return applied.reached();
    }

    @Override
    public void becameLeader(long epoch) {
        Leadership l = leadership;
        if (l != null) {
            l.becameLeader(epoch, image);
        }
    }

    @Override
    public void resigned(long epoch) {
        Leadership l = leadership;
        if (l != null) {
            l.resigned(epoch);
        }
    }
}
