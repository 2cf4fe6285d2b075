package org.tributary.quorum;

import java.util.concurrent.CompletableFuture;

/**
 * Answers requests sent with {@link RaftQuorum#requestLeader} by any member. Called on the
 * current leader only, and only while it holds its lease ({@link LeaderLease}: a leader cut off
 * from the majority stops answering before another can be elected), on a Ratis thread or a
 * lease-wait thread: it must not block; long work belongs in the returned
 * future. A failed future reaches the caller as a {@link QuorumException} of kind
 * {@link QuorumException.Kind#HANDLER_FAILED} with the failure's message.
 */
@FunctionalInterface
public interface LeaderRequestHandler {
    CompletableFuture<byte[]> handle(byte[] request);

    /**
     * Like {@link #handle(byte[])}, with the sender's deadline ({@link System#currentTimeMillis()}
     * scale): by then the sender has answered its own caller with a timeout, so a handler that
     * queues requests should refuse one it reaches after the deadline instead of running it
     * (Kafka's controller does the same with a request whose deadline passed in its queue). The
     * request is never passed here once its deadline has passed on arrival.
     */
    default CompletableFuture<byte[]> handle(byte[] request, long deadlineMillis) {
        return handle(request);
    }
}
