package org.tributary.quorum;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads the quorum creates itself (Ratis creates its own): all daemon threads named
 * {@code tributary-quorum-<role>-<node id>[-n]}, all stopped by {@link RaftQuorum#close()}. Stateless.
 */
final class QuorumThreads {
    private QuorumThreads() {
    }

    static ThreadFactory named(String role, int nodeId) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            int i = n.incrementAndGet();
            Thread t = new Thread(r, "tributary-quorum-" + role + "-" + nodeId + (i > 1 ? "-" + i : ""));
            t.setDaemon(true);
            return t;
        };
    }

    /** One thread, for request timeouts. */
    static ScheduledThreadPoolExecutor timer(int nodeId) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, named("timer", nodeId));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    /** Up to {@code threads} threads, started on demand and ended after 10 s idle; unbounded queue. */
    static ThreadPoolExecutor pool(String role, int nodeId, int threads) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 10, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), named(role, nodeId));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }
}
