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
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.tributary.quorum.ReplicatedStateMachine;

/**
 * A broker's copy of the cluster metadata: the state machine of the metadata quorum. Every
 * committed entry (a batch of {@link MetadataRecord}s) is decoded and applied to the
 * {@link MetadataImage} in log order, on the quorum's apply thread; then the new image is handed to
 * the listeners (the replica manager, the controller's committed view, the grid publisher) and
 * waiters for that offset are released. Snapshots are the image written as records.
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
    private final ConcurrentSkipListMap<Long, List<CompletableFuture<MetadataImage>>> waiters = new ConcurrentSkipListMap<>();
    private volatile MetadataImage image = MetadataImage.EMPTY;
    private volatile long lastApplied = -1;
    private volatile Leadership leadership;

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
        waiters.values().forEach(l -> l.forEach(f -> f.completeExceptionally(new IllegalStateException("metadata closed"))));
        waiters.clear();
    }

    /** Completes with the image once an entry at or after {@code offset} has been applied here. */
    public CompletableFuture<MetadataImage> awaitOffset(long offset) {
        CompletableFuture<MetadataImage> f = new CompletableFuture<>();
        if (lastApplied >= offset) {
            f.complete(image);
            return f;
        }
        waiters.computeIfAbsent(offset, k -> new CopyOnWriteArrayList<>()).add(f);
        if (lastApplied >= offset) { // applied while registering
            release();
        }
        return f;
    }

    @Override
    public void apply(long offset, long epoch, byte[] entry) {
        List<MetadataRecord> batch = MetadataCodec.decode(entry);
        publish(MetadataDelta.apply(image, batch, offset, epoch), offset);
    }

    private void publish(MetadataImage next, long offset) {
        image = next;
        lastApplied = offset;
        for (Consumer<MetadataImage> l : listeners) {
            try {
                l.accept(next);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "TRIB-0030 A metadata listener failed on the image at offset " + offset + ": " + e, e);
            }
        }
        release();
    }

    private void release() {
        long applied = lastApplied;
        MetadataImage img = image;
        Map<Long, List<CompletableFuture<MetadataImage>>> done = waiters.headMap(applied, true);
        for (List<CompletableFuture<MetadataImage>> fs : done.values()) {
            fs.forEach(f -> f.complete(img));
        }
        done.clear();
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
        return lastApplied;
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
