package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A broker's shutdown lets the housekeeping task that is running finish, uninterrupted: an
 * interrupt in the middle of a flush, a roll or a compaction closes that log's file channel, so
 * the logs could not close cleanly and the next start would recover them as after a crash. Tasks
 * not started yet are dropped and do not delay the shutdown.
 */
class HousekeepingShutdownTest {

    @Test
    void theRunningTaskFinishesUninterruptedAndPendingTasksAreDropped() throws Exception {
        try (TestBroker broker = new TestBroker()) {
            ScheduledExecutorService scheduler = broker.server().scheduler();
            CountDownLatch started = new CountDownLatch(1);
            AtomicBoolean interrupted = new AtomicBoolean();
            AtomicBoolean finished = new AtomicBoolean();
            AtomicBoolean delayedRan = new AtomicBoolean();
            scheduler.execute(() -> {
                started.countDown();
                long end = System.nanoTime() + Duration.ofMillis(600).toNanos();
                while (System.nanoTime() < end) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException e) {
                        interrupted.set(true);
                        return;
                    }
                }
                finished.set(true);
            });
            scheduler.schedule(() -> delayedRan.set(true), 60, TimeUnit.SECONDS);
            assertTrue(started.await(10, TimeUnit.SECONDS), "the task started");

            long t0 = System.nanoTime();
            broker.restart();
            long tookMs = (System.nanoTime() - t0) / 1_000_000;

            assertFalse(interrupted.get(), "the running housekeeping task was interrupted by the shutdown");
            assertTrue(finished.get(), "the running housekeeping task finished before the logs were closed");
            assertTrue(scheduler.isTerminated(), "the old scheduler ended");
            assertFalse(delayedRan.get(), "a task due in 60 s ran during the shutdown");
            assertTrue(tookMs < 9_000, "a task due in 60 s delayed the restart: " + tookMs + " ms");
        }
    }
}
