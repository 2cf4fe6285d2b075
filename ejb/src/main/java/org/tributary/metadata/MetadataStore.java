package org.tributary.metadata;

import java.io.Closeable;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The durable source of topic metadata. {@link LocalMetadataStore} keeps it in a file for a single
 * broker; a controller-backed implementation replaces it in a cluster. Changes are made by
 * {@link #update}: the function gets the current image and returns the next one (or the same
 * instance for no change); the change is durable before {@code update} returns and listeners have
 * been told.
 *
 * <p>Implementations are thread-safe; updates are serialized.
 */
public interface MetadataStore extends Closeable {

    /** The current image. */
    MetadataImage image();

    /**
     * Applies {@code change} atomically and durably. Exceptions thrown by {@code change} propagate
     * and leave the metadata unchanged.
     */
    MetadataImage update(UnaryOperator<MetadataImage> change) throws IOException;

    /** Called (synchronously, in order) with each new image after it is durable. */
    void addListener(Consumer<MetadataImage> listener);

    @Override
    void close();
}
