package org.tributary.controller;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.protocol.ApiMessage;
import org.tributary.metadata.MetadataFollower;
import org.tributary.quorum.QuorumException;

/**
 * A broker's way to the active controller, from any broker (KIP-590's forwarding, over the
 * quorum's own transport): sends one of Kafka's controller messages to the quorum leader and,
 * once the controller has answered, waits until this broker's image has what the request wrote,
 * so a client that created a topic through this broker sees it here at once (Metadata,
 * DescribeTopics). The logs it creates may open a moment later: requests to those partitions wait
 * for them on arrival (org.tributary.server.PartitionsOpenGate).
 *
 * <p>Failures: no leader within {@code timeout} (an election, or a minority side) completes with
 * Kafka's retriable {@link TimeoutException}; no leader reachable at the moment (a connection
 * closing while a partition heals) is tried again until then, as Kafka's forwarding does; a
 * leader that loses its leadership while answering gives {@link NotControllerException} (also
 * retriable). Thread-safe.
 */
public final class ControllerClient {
    /**
     * Sends request bytes to the leader and completes with its answer bytes. Copies sent with the
     * same {@code requestId} before their deadline run once on a leader, and each gets that run's
     * answer.
     */
    @FunctionalInterface
    public interface LeaderChannel {
        CompletableFuture<byte[]> request(byte[] request, long requestId, Duration timeout);
    }

    private static final long RETRY_NANOS = 100_000_000L;
    /** How long past its timeout a request may take before {@link #send} gives up on it. */
    private static final long GRACE_MS = 1_000;
    private final LeaderChannel channel;
    private final MetadataFollower metadata;

    public ControllerClient(LeaderChannel channel, MetadataFollower metadata) {
        this.channel = channel;
        this.metadata = metadata;
    }

    /**
     * Sends {@code request}; completes with the controller's response of type {@code type} once
     * this broker's image has the records it wrote, or with a {@link TimeoutException} when that
     * has not happened within {@code timeout} (and a short grace). Never blocks the caller.
     */
    public <R extends ApiMessage> CompletableFuture<R> send(ApiMessage request, Class<R> type, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return attempt(ControllerRpc.encode(request), newId(), request, type, deadline)
                .orTimeout(timeout.toMillis() + GRACE_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
                .exceptionally(e -> {
                    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                    throw new CompletionException(t instanceof java.util.concurrent.TimeoutException
                            ? new TimeoutException("the controller did not answer within " + timeout.toMillis() + " ms") : t);
                });
    }

    private static long newId() {
        return java.util.concurrent.ThreadLocalRandom.current().nextLong();
    }

    /**
     * One try. A member that is not (yet) the active controller, or no leader reachable at the
     * moment (a connection closing as a partition heals), is asked again after a short pause, until
     * the deadline. "Unreachable" may also mean that the engine's client gave up waiting for a
     * leader that did get the request and ran it: the request is asked again under the same id, so
     * that leader answers the copy with its first run's answer instead of running it twice (a
     * CreateTopics run twice answers TOPIC_ALREADY_EXISTS for the topics it made). After a "not
     * active" answer nothing ran, and the next try is a new request.
     */
    private <R extends ApiMessage> CompletableFuture<R> attempt(byte[] bytes, long id, ApiMessage request, Class<R> type,
            long deadline) {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        return channel.request(bytes, id, Duration.ofMillis(left))
                .handle((answerBytes, e) -> {
                    if (e == null) {
                        return answered(answerBytes, bytes, request, type, deadline);
                    }
                    if (unreachable(e) && System.nanoTime() + RETRY_NANOS < deadline) {
                        return later(bytes, id, request, type, deadline);
                    }
                    return CompletableFuture.<R>failedFuture(translate(e));
                })
                .thenCompose(f -> f);
    }

    private <R extends ApiMessage> CompletableFuture<R> later(byte[] bytes, long id, ApiMessage request, Class<R> type,
            long deadline) {
        return CompletableFuture.supplyAsync(() -> null,
                CompletableFuture.delayedExecutor(RETRY_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS))
                .thenCompose(x -> attempt(bytes, id, request, type, deadline));
    }

    /** No leader could be reached just now (or its answer did not come back): asking again is the forwarding's job, not the client's. */
    private static boolean unreachable(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof QuorumException q && q.kind() == QuorumException.Kind.NO_QUORUM;
    }

    private <R extends ApiMessage> CompletableFuture<R> answered(byte[] answerBytes, byte[] bytes, ApiMessage request, Class<R> type,
            long deadline) {
        ControllerRpc.Answer answer = ControllerRpc.decodeAnswer(answerBytes);
        if (answer.notActive()) {
            if (System.nanoTime() + RETRY_NANOS >= deadline) {
                throw new TimeoutException("no active controller answered within the timeout (an election may be under way)");
            }
            return later(bytes, newId(), request, type, deadline);
        }
        if (!type.isInstance(answer.response())) {
            throw new IllegalStateException("the controller answered " + request.getClass().getSimpleName() + " with "
                    + answer.response().getClass().getSimpleName());
        }
        // the change is committed and this broker's image has it: answer now, as Kafka's controller
        // answers at commit. Opening the logs it creates here may take longer (thousands of
        // partitions on a busy disk); this broker's partition APIs wait for that (see
        // org.tributary.server.PartitionsOpenGate), so a client that goes on at once is not refused
        return metadata.awaitOffset(answer.offset()).thenApply(img -> type.cast(answer.response()));
    }

    /** Like {@link #send} but waits; failures are thrown as Kafka exceptions. */
    public <R extends ApiMessage> R call(ApiMessage request, Class<R> type, Duration timeout) {
        return await(send(request, type, timeout));
    }

    /** Waits for what {@link #send} returned (it always completes); failures are thrown as Kafka exceptions. */
    public static <R> R await(CompletableFuture<R> sent) {
        try {
            return sent.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TimeoutException("interrupted while waiting for the controller");
        }
    }

    private static RuntimeException unwrap(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        return t instanceof RuntimeException r ? translate(r) : new IllegalStateException(t);
    }

    /** Quorum failures as the retriable Kafka errors a client knows how to handle. */
    static RuntimeException translate(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof QuorumException q) {
            return switch (q.kind()) {
                case NOT_LEADER, EPOCH_CHANGED -> new NotControllerException("the active controller changed: " + q.getMessage());
                case TIMEOUT, NO_QUORUM -> new TimeoutException("no active controller answered (is a majority of the metadata"
                        + " quorum's voters running?): " + q.getMessage());
                case CLOSED -> new TimeoutException("this broker is shutting down");
                default -> new IllegalStateException("the controller failed: " + q.getMessage(), q);
            };
        }
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    /** For callers that map a failure into a Kafka error code themselves. */
    public static Function<Throwable, RuntimeException> translator() {
        return ControllerClient::unwrap;
    }
}
