package org.tributary.grid;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
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
 * active controller ({@code leaderId} is this node: a node that is no longer the Raft leader never
 * publishes). Images arrive on the metadata publisher thread and are handed to one publishing
 * thread; when several arrive while one is being written, only the newest is written next.
 *
 * <p>The grid's copy can go stale without a new image: after a split-brain merge Hazelcast may keep
 * the other side's older entry. So the latest image is published again when this member has merged
 * ({@code LifecycleEvent} {@code MERGED}) or sees a member join, after a failed write (every
 * {@value #RETRY_MS} ms), and at each periodic check (every 5 s by default; one read when nothing
 * changed), which also covers a node that becomes leader without a new image. A publication never
 * replaces a newer image ({@link PublishedMetadata#publish}), so a stale leader cannot take the
 * view back. Hence: once a merge is complete, every member reads the active controller's latest
 * image within moments, and the view does not step back.
 *
 * <p>Thread-safe.
 */
public final class GridPublisher implements Consumer<MetadataImage>, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GridPublisher.class.getName());
    static final long RETRY_MS = 500;
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);

    private final HazelcastInstance hz;
    private final String clusterId;
    private final int localId;
    private final IntSupplier leaderId;
    private final ScheduledExecutorService thread;
    private final AtomicReference<MetadataImage> latest = new AtomicReference<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    private MetadataImage written; // the last image this publisher wrote; only the publishing thread touches it
    private final UUID lifecycleRegistration;
    private final UUID membershipRegistration;

    public GridPublisher(HazelcastInstance hz, String clusterId, int localId, IntSupplier leaderId, ThreadFactory threads) {
        this(hz, clusterId, localId, leaderId, threads, CHECK_INTERVAL);
    }

    GridPublisher(HazelcastInstance hz, String clusterId, int localId, IntSupplier leaderId, ThreadFactory threads,
            Duration checkInterval) {
        this.hz = hz;
        this.clusterId = clusterId;
        this.localId = localId;
        this.leaderId = leaderId;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = threads.newThread(r);
            t.setName("tributary-grid-publisher");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.thread = executor;
        this.lifecycleRegistration = hz.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
                publishSoon("this member merged into the data grid");
            }
        });
        this.membershipRegistration = hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
                publishSoon("a member joined the data grid");
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
                // nothing the view needs: the leaving member's copy is gone, ours stays
            }
        });
        long checkMs = checkInterval.toMillis();
        executor.scheduleWithFixedDelay(() -> publishLatest("periodic check"), checkMs, checkMs, TimeUnit.MILLISECONDS);
    }

    @Override
    public void accept(MetadataImage image) {
        latest.set(image);
        publishSoon(null);
    }

    private void publishSoon(String reason) {
        if (scheduled.compareAndSet(false, true)) {
            try {
                thread.execute(() -> {
                    scheduled.set(false);
                    publishLatest(reason);
                });
            } catch (RejectedExecutionException closed) {
                scheduled.set(false);
            }
        }
    }

    /** {@code reason} is null for a new image, else why the latest one is published again. */
    private void publishLatest(String reason) {
        MetadataImage image = latest.get();
        if (image == null || leaderId.getAsInt() != localId || !hz.getLifecycleService().isRunning()) {
            return;
        }
        try {
            PublishedMetadata.Publication done = PublishedMetadata.publish(hz, clusterId, image, localId);
            if (done == PublishedMetadata.Publication.WRITTEN && image == written) {
                LOG.info(() -> "TRIB-0016 Published the metadata at offset " + image.offset() + " into the data grid again ("
                        + (reason == null ? "new image" : reason) + "): the grid held an older image or none");
            } else if (done == PublishedMetadata.Publication.REFUSED_NEWER_THERE) {
                LOG.fine(() -> "The data grid already holds newer metadata than offset " + image.offset() + "; left as it is");
            }
            if (done == PublishedMetadata.Publication.WRITTEN) {
                written = image;
            }
        } catch (RuntimeException e) {
            LOG.fine(() -> "TRIB-0015 Could not publish the metadata at offset " + image.offset() + " into the data grid: " + e);
            retrySoon();
        }
    }

    private void retrySoon() {
        if (retryScheduled.compareAndSet(false, true)) {
            try {
                thread.schedule(() -> {
                    retryScheduled.set(false);
                    publishLatest("retry after a failed write");
                }, RETRY_MS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closed) {
                retryScheduled.set(false);
            }
        }
    }

    @Override
    public void close() {
        try {
            hz.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
            hz.getCluster().removeMembershipListener(membershipRegistration);
        } catch (RuntimeException e) {
            LOG.fine(() -> "Could not remove the grid publisher's listeners: " + e);
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
