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
}
