package org.tributary.metadata;

import java.io.Closeable;
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

    @Override
    void close();
}
