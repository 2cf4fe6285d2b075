package org.tributary.quorum;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.ratis.thirdparty.io.netty.util.concurrent.FastThreadLocal;
import org.apache.ratis.thirdparty.io.netty.util.concurrent.FastThreadLocalThread;

/**
 * What Ratis leaves on threads it does not own, for an application server that undeploys the
 * broker while the JVM keeps running. Stateless.
 *
 * <p>{@link RaftQuorum#close()} returns while a few Ratis threads are still ending: the client's
 * Netty event loop ends only after Netty's quiet period (about 2 s), a division's leader thread a
 * moment later. An undeploy that lets them run on is seen by the container as a leak of the
 * application's class loader (Payara logs one SEVERE record per thread holding Netty's thread-local
 * map). {@link #awaitEnded} waits for them, for the container's {@code @PreDestroy}. And Netty keeps
 * a thread-local map on every thread that ever called into it, also on the container's threads
 * that started or closed a member: {@link #clearCallerThreadLocals} removes it, or the container
 * thread pins the undeployed application's classes for good.
 */
public final class RatisThreads {
    /**
     * Names Ratis gives the threads of a member with numeric peer id (ours are node ids): its
     * divisions ({@code 0@group-...}), server ({@code 0-impl-thread1}, {@code 0-groupManagement},
     * {@code 0-client-thread1}), pause monitor, its RPC service's event loops and its clients'
     * ({@code client-1A2B3C4D5E6F--thread1}).
     */
    private static final Pattern RATIS = Pattern.compile(
            "\\d+@group-.*|\\d+-impl-thread\\d+|\\d+-groupManagement|\\d+-client-thread\\d+|JvmPauseMonitor\\d+"
            + "|NettyRpcService-.*|client-[0-9A-F]+-.*");
    private static final long POLL_MILLIS = 50;

    private RatisThreads() {
    }

    /**
     * Waits until no Ratis thread runs in this JVM, at most {@code bound}; true when all ended, else
     * logs TRIB-0120 with the names of those left. For a JVM with one quorum member (a server node),
     * after it closed: any other running member's threads would be waited for too.
     */
    public static boolean awaitEnded(Duration bound) {
        return awaitEnded(bound, name -> true);
    }

    /** {@link #awaitEnded(Duration)} for the Ratis threads whose names {@code which} accepts. */
    static boolean awaitEnded(Duration bound, Predicate<String> which) {
        long deadline = System.nanoTime() + bound.toNanos();
        List<String> left = running(which);
        try {
            while (!left.isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(POLL_MILLIS);
                left = running(which);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!left.isEmpty()) {
            List<String> names = left;
            QuorumLog.LOG.warning(() -> "TRIB-0120 Ratis threads still running " + bound.toMillis()
                    + " ms after the quorum member closed: " + names);
        }
        return left.isEmpty();
    }

    /** The names of the Ratis threads running now (enumerated without taking their stacks). */
    static List<String> running() {
        return running(name -> true);
    }

    private static List<String> running(Predicate<String> which) {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] all = new Thread[root.activeCount() + 16];
        int n = root.enumerate(all, true);
        return java.util.Arrays.stream(all, 0, n).filter(Thread::isAlive).map(Thread::getName)
                .filter(name -> RATIS.matcher(name).matches() && which.test(name)).sorted().toList();
    }

    /**
     * Removes Ratis's Netty thread-local map from the calling thread, unless it is a Netty thread
     * itself (whose map Netty manages). Call on a thread Ratis does not own after using Ratis on it.
     */
    static void clearCallerThreadLocals() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            FastThreadLocal.removeAll();
        }
    }
}
