package org.tributary.web.security;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * How long a failed console or REST login waits for its answer: {@value #KEY} milliseconds
 * (default {@value #DEFAULT_MS}, as Kafka's {@code connection.failed.authentication.delay.ms};
 * 0 to 10,000). A fixed delay, like Kafka's, rather than one that grows per address: it costs a
 * password guesser the same on every try, cannot be used to lock a legitimate user out from
 * another address, and needs no per-address state that a flood of addresses could grow. The
 * waiting holds no request thread: the answer is sent later from the container's scheduler (a
 * servlet async context, or a JAX-RS {@code AsyncResponse}). A value out of range stops the
 * deployment with a message naming the key. Thread-safe.
 */
@ApplicationScoped
public class FailedLoginDelay {
    public static final String KEY = "tributary.login.failure.delay.ms";
    static final long DEFAULT_MS = 100;
    static final long MAX_MS = 10_000;
    private static final Logger LOG = Logger.getLogger(FailedLoginDelay.class.getName());

    @Resource
    private ManagedScheduledExecutorService scheduler;

    private long delayMs = -1;

    /** Reads and checks the setting when the application starts, so a bad value is reported at once. */
    void onStart(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        delayMs();
    }

    public synchronized long delayMs() {
        if (delayMs < 0) {
            String raw = ConfigProvider.getConfig().getOptionalValue(KEY, String.class).orElse(Long.toString(DEFAULT_MS)).trim();
            long v;
            try {
                v = Long.parseLong(raw);
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0 || v > MAX_MS) {
                throw new IllegalArgumentException("TRIB-WEB-004 " + KEY + "=" + raw + " cannot be used: it must be a whole number of "
                        + "milliseconds from 0 to " + MAX_MS);
            }
            delayMs = v;
            LOG.fine(() -> "failed logins are answered after " + delayMs + " ms");
        }
        return delayMs;
    }

    /**
     * Runs {@code answer} after the delay on the container's scheduler; true when it was
     * scheduled, false when the caller must answer itself (no delay configured, or the scheduler
     * refused: then after a bounded wait on the calling thread).
     */
    public boolean later(Runnable answer) {
        long d = delayMs();
        if (d == 0) {
            return false;
        }
        try {
            scheduler.schedule(answer, d, TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            waitHere();
            return false;
        }
    }

    /**
     * The fallback where the container cannot answer later (a request that cannot go asynchronous):
     * waits the delay on the request thread. Bounded by {@value #MAX_MS} ms by the setting's range.
     */
    public void waitHere() {
        try {
            Thread.sleep(delayMs());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
