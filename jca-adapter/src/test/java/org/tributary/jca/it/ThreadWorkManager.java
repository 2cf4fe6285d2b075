package org.tributary.jca.it;

import jakarta.resource.spi.work.ExecutionContext;
import jakarta.resource.spi.work.Work;
import jakarta.resource.spi.work.WorkListener;
import jakarta.resource.spi.work.WorkManager;

/** A WorkManager for running the adapter's inbound side outside a container: one thread per work. */
final class ThreadWorkManager implements WorkManager {
    @Override public void doWork(Work w) { w.run(); }
    @Override public void doWork(Work w, long timeout, ExecutionContext c, WorkListener l) { w.run(); }
    @Override public long startWork(Work w) { scheduleWork(w); return 0; }
    @Override public long startWork(Work w, long timeout, ExecutionContext c, WorkListener l) { scheduleWork(w); return 0; }
    @Override public void scheduleWork(Work w) { new Thread(w, "work-" + w).start(); }
    @Override public void scheduleWork(Work w, long timeout, ExecutionContext c, WorkListener l) { scheduleWork(w); }
}
