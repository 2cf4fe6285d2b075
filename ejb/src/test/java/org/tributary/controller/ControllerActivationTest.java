package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataFollower;
import org.tributary.metadata.MetadataImage;
import org.tributary.quorum.QuorumException;

/**
 * A member the quorum elected must become the active controller even when its first activation
 * entry does not commit in time (a leader elected right after a crash may still be replaying its
 * log, or its followers may be slow): it tries again for as long as it leads that epoch, and stops
 * once it resigned. Before, one failed activation left the quorum's leader inactive, so every
 * controller request was answered "not active" until some later election.
 */
class ControllerActivationTest {
    private final MetadataFollower follower = new MetadataFollower();
    private ControllerServer controller;
    private final AtomicInteger appends = new AtomicInteger();
    private final AtomicLong nextOffset = new AtomicLong(1);

    @AfterEach
    void close() {
        if (controller != null) {
            controller.close();
        }
    }

    /** An appender whose first {@code failures} appends never commit (one times out, the rest fail as a quorum timeout). */
    private ControllerServer controllerWhoseFirstAppendsFail(int failures) {
        controller = new ControllerServer(new ControllerConfig(9_000, 1, (short) 1, 100), ConfigValidator.ACCEPT_ALL, follower,
                "cluster", System::currentTimeMillis, Duration.ofMillis(150), Thread::new);
        follower.setLeadership(controller);
        controller.attach((epoch, entry) -> {
            int n = appends.incrementAndGet();
            if (n == 1) {
                return new CompletableFuture<>(); // never answers: the controller's own timeout
            }
            if (n <= failures) {
                return CompletableFuture.failedFuture(new QuorumException(QuorumException.Kind.TIMEOUT, "no quorum"));
            }
            long offset = nextOffset.getAndIncrement();
            follower.apply(offset, epoch, entry);
            return CompletableFuture.completedFuture(offset);
        });
        return controller;
    }

    @Test
    void aLeaderWhoseActivationDidNotCommitKeepsTryingUntilItIsActive() throws Exception {
        ControllerServer c = controllerWhoseFirstAppendsFail(3);
        c.becameLeader(3, MetadataImage.EMPTY);
        await(() -> c.state() == ControllerServer.State.ACTIVE, 10_000);
        assertEquals(3, c.epoch());
        assertTrue(appends.get() >= 4, "three failed activation entries, then one that committed: " + appends.get());
        assertTrue(follower.lastAppliedOffset() >= 1, "the activation entry was applied");
        // once active, it stops writing activation entries
        int settled = appends.get();
        TimeUnit.MILLISECONDS.sleep(3 * ControllerServer.ACTIVATION_RETRY_MAX_MS / 2);
        assertEquals(settled, appends.get(), "no activation attempt after the controller became active");
    }

    @Test
    void aLeaderThatResignedStopsTrying() throws Exception {
        ControllerServer c = controllerWhoseFirstAppendsFail(Integer.MAX_VALUE);
        c.becameLeader(5, MetadataImage.EMPTY);
        await(() -> appends.get() >= 3, 10_000);
        c.resigned(5);
        await(() -> c.state() == ControllerServer.State.INACTIVE, 5_000);
        int afterResign = appends.get();
        // one attempt may already have been running when the resignation was queued
        TimeUnit.MILLISECONDS.sleep(2 * ControllerServer.ACTIVATION_RETRY_MAX_MS + 500);
        assertTrue(appends.get() <= afterResign + 1, "attempts after resigning: " + (appends.get() - afterResign));
        assertEquals(ControllerServer.State.INACTIVE, c.state());
    }

    @Test
    void aNewerElectionReplacesTheRetriesOfAnOlderEpoch() throws Exception {
        ControllerServer c = controllerWhoseFirstAppendsFail(2);
        c.becameLeader(7, MetadataImage.EMPTY);
        c.resigned(7);
        c.becameLeader(8, MetadataImage.EMPTY);
        await(() -> c.state() == ControllerServer.State.ACTIVE, 10_000);
        assertEquals(8, c.epoch(), "active in the epoch the quorum now gives it");
    }

    /**
     * A request that reaches the head of the controller's queue after its sender's deadline was
     * answered REQUEST_TIMED_OUT by that sender: running it would make a change its client was told
     * did not happen (Kafka's controller drops such an event too). It is refused, nothing written.
     */
    @Test
    void aRequestPastItsDeadlineIsRefusedAndWritesNothing() throws Exception {
        ControllerServer c = controllerWhoseFirstAppendsFail(1);
        c.becameLeader(4, MetadataImage.EMPTY);
        await(() -> c.state() == ControllerServer.State.ACTIVE, 10_000);
        int before = appends.get();
        // a change that needs no registered broker: a client quota
        byte[] change = ControllerRpc.encode(new org.apache.kafka.common.message.AlterClientQuotasRequestData().setEntries(
                java.util.List.of(new org.apache.kafka.common.message.AlterClientQuotasRequestData.EntryData()
                        .setEntity(java.util.List.of(new org.apache.kafka.common.message.AlterClientQuotasRequestData.EntityData()
                                .setEntityType("user").setEntityName("late")))
                        .setOps(java.util.List.of(new org.apache.kafka.common.message.AlterClientQuotasRequestData.OpData()
                                .setKey("producer_byte_rate").setValue(1024))))));

        java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class,
                () -> c.handle(change, System.currentTimeMillis() - 1).get(5, TimeUnit.SECONDS));
        QuorumException q = (QuorumException) refused.getCause();
        assertEquals(QuorumException.Kind.TIMEOUT, q.kind(), q.toString());
        assertEquals(before, appends.get(), "nothing was written for the late request");

        ControllerRpc.Answer answer = ControllerRpc.decodeAnswer(c.handle(change, System.currentTimeMillis() + 5_000)
                .get(5, TimeUnit.SECONDS));
        assertEquals(before + 1, appends.get(), "the same request in time is run and written: " + answer.response());
    }

    private static void await(BooleanSupplier condition, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within " + timeoutMs + " ms");
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }
}
