package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.concurrent.CountDownLatch;
import org.apache.ratis.thirdparty.io.netty.util.concurrent.FastThreadLocal;
import org.apache.ratis.thirdparty.io.netty.util.internal.InternalThreadLocalMap;
import org.junit.jupiter.api.Test;

class RatisThreadsTest {

    @Test
    void waitsForRatisThreadsToEndAndOnlyForThose() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread ratis = new Thread(() -> awaitQuietly(release), "97@group-ABCDEF012345-LeaderStateImpl");
        Thread client = new Thread(() -> awaitQuietly(release), "client-0A1B2C3D4E5F--thread1");
        Thread other = new Thread(() -> awaitQuietly(release), "tributary-not-ratis");
        // Other test classes in this JVM may still have Ratis threads ending: wait only for ours.
        Predicate<String> ours = Set.of(ratis.getName(), client.getName(), other.getName())::contains;
        ratis.start();
        client.start();
        other.start();
        try {
            assertTrue(RatisThreads.running().containsAll(List.of(ratis.getName(), client.getName())));
            assertFalse(RatisThreads.running().contains(other.getName()));
            assertFalse(RatisThreads.awaitEnded(Duration.ofMillis(100), ours), "threads still running: not ended within the bound");
            Thread ender = new Thread(() -> {
                sleepQuietly(200);
                release.countDown();
            });
            ender.start();
            long t0 = System.nanoTime();
            assertTrue(RatisThreads.awaitEnded(Duration.ofSeconds(10), ours));
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "returned as soon as they ended");
            assertEquals(List.of(), RatisThreads.running().stream().filter(n -> n.startsWith("97@") || n.startsWith("client-0A1B")).toList());
        } finally {
            release.countDown();
            other.join(5000);
        }
    }

    @Test
    void clearsNettysThreadLocalMapFromTheCallingThread() throws Exception {
        Thread t = new Thread(() -> {
            FastThreadLocal<String> local = new FastThreadLocal<>();
            local.set("x");
            assertNotNull(InternalThreadLocalMap.getIfSet());
            RatisThreads.clearCallerThreadLocals();
            assertNull(InternalThreadLocalMap.getIfSet(), "the thread no longer holds Netty's map");
        });
        Throwable[] failure = new Throwable[1];
        t.setUncaughtExceptionHandler((th, e) -> failure[0] = e);
        t.start();
        t.join(5000);
        if (failure[0] != null) {
            throw new AssertionError(failure[0]);
        }
    }

    private static void awaitQuietly(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
