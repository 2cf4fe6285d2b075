package org.tributary.metadata;

import java.io.Closeable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A broker's read side of the cluster metadata: the current image and the images that follow it.
 * {@link MetadataFollower} is the implementation: it follows the metadata quorum's log. Changes
 * are made only by the active controller, through records.
 *
 * <p>Implementations are thread-safe.
 */
public interface MetadataStore extends Closeable {

    /** The current image. */
    MetadataImage image();

    /**
     * Called in order with the new images after they are durable, one call at a time. A listener
     * may be handed only the newest of several images that arrived while it was busy
     * ({@link MetadataFollower} runs listeners on its own thread); it must make its state match the
     * image it is given.
     */
    void addListener(Consumer<MetadataImage> listener);

    /**
     * The offset of the newest image the listeners have been handed: what this broker serves (its
     * partitions are open as that image has them). Behind {@code image().offset()} while the
     * listeners work on a newer image. A store whose listeners run before its image changes: the
     * image's offset.
     */
    default long publishedOffset() {
        return image().offset();
    }

    /** Completes once the listeners have been handed an image at or after {@code offset}. */
    default CompletableFuture<MetadataImage> awaitPublished(long offset) {
        return CompletableFuture.completedFuture(image());
    }

    @Override
    void close();
}
