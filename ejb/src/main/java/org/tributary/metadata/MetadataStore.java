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

    /** Called (synchronously, in order) with each new image after it is durable. */
    void addListener(Consumer<MetadataImage> listener);

    @Override
    void close();
}
