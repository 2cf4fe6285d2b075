package org.tributary.network;

/**
 * Where network threads hand complete frames. Implementations must return quickly: they queue the
 * work on a request-handler pool and never block the calling network thread.
 */
@FunctionalInterface
public interface RequestChannel {
    void onRequest(NetworkRequest request);
}
