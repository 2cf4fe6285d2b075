package org.tributary.log;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;

/**
 * All partition logs under one data directory, one sub-directory {@code <topic>-<partition>} each
 * (the partition number follows the last '-'). Opening recovers every existing log (in parallel on
 * the scheduler) with the broker defaults; callers re-apply topic overrides through
 * {@link #getOrCreate}. Background work runs on the supplied scheduler: retention every
 * {@code log.retention.check.interval.ms} (300000), compaction every {@code log.cleaner.backoff.ms}
 * (15000, if {@code log.cleaner.enable}), and the {@code flush.ms} check every
 * {@code log.flush.scheduler.interval.ms} (1000 here if unset). A log whose files fail an I/O
 * operation is reported to {@link #storageFailures()} once; the tasks then skip it without a word
 * (see {@link PartitionLog#reportIoFailure}) and go on with the others.
 *
 * <p>Thread-safe.
 */
public final class LogManager implements Closeable {
    private static final Logger LOG = Logger.getLogger(LogManager.class.getName());
    private final Path dataDir;
    private final Map<String, String> brokerProps;
    private final LogConfig brokerDefaults;
    private final Time time;
    private final ScheduledExecutorService scheduler;
    private final ConcurrentHashMap<TopicPartition, PartitionLog> logs = new ConcurrentHashMap<>();
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>();
    /** Logs closed at the same time by {@link #close}. */
    private static final int CLOSE_THREADS = 8;
    private volatile boolean closed;
    private final StorageFailures failures;

    private LogManager(Path dataDir, Map<String, String> brokerProps, Time time, ScheduledExecutorService scheduler) {
        this.dataDir = dataDir;
        this.brokerProps = Map.copyOf(brokerProps);
        this.brokerDefaults = LogConfig.from(brokerProps, Map.of());
        this.time = time;
        this.scheduler = scheduler;
        this.failures = new StorageFailures(dataDir);
    }

    /** Failed I/O operations in this directory (Kafka's log-directory failure channel). */
    public StorageFailures storageFailures() {
        return failures;
    }

    private PartitionLog watched(PartitionLog log) {
        log.reportFailuresTo(failures);
        return log;
    }

    /** The directory holding the partition logs. */
    public Path dataDir() {
        return dataDir;
    }

    public static LogManager open(Path dataDir, Map<String, String> brokerDefaults, Time time,
                                  ScheduledExecutorService scheduler) throws IOException {
        LogManager m = new LogManager(dataDir, brokerDefaults, time, scheduler);
        Files.createDirectories(dataDir);
        m.loadAll();
        m.schedule();
        return m;
    }

    /** {@code topic-3} -> (topic, 3); null if the name is not a partition directory. */
    static TopicPartition parseDirName(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0 || dash == name.length() - 1) {
            return null;
        }
        try {
            int p = Integer.parseInt(name.substring(dash + 1));
            return p < 0 ? null : new TopicPartition(name.substring(0, dash), p);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private void loadAll() throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dataDir, Files::isDirectory)) {
            ds.forEach(dirs::add);
        }
        Map<TopicPartition, Future<PartitionLog>> pending = new java.util.LinkedHashMap<>();
        for (Path d : dirs) {
            TopicPartition tp = parseDirName(d.getFileName().toString());
            if (tp == null) {
                continue;
            }
            if (scheduler != null) {
                pending.put(tp, scheduler.submit(() -> watched(PartitionLog.open(d, brokerDefaults, time, scheduler))));
            } else {
                logs.put(tp, watched(PartitionLog.open(d, brokerDefaults, time, null)));
            }
        }
        for (Map.Entry<TopicPartition, Future<PartitionLog>> e : pending.entrySet()) {
            try {
                logs.put(e.getKey(), e.getValue().get());
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while loading logs", ex);
            } catch (ExecutionException ex) {
                throw new IOException("failed to load log " + e.getKey() + ": " + ex.getCause(), ex.getCause());
            }
        }
    }

    private long longProp(String key, long def) {
        String v = brokerProps.get(key);
        return v == null || v.isBlank() ? def : Long.parseLong(v.trim());
    }

    private void schedule() {
        if (scheduler == null) {
            return;
        }
        long retention = longProp("log.retention.check.interval.ms", 300_000L);
        tasks.add(scheduler.scheduleWithFixedDelay(this::runRetention, retention, retention, TimeUnit.MILLISECONDS));
        if (!"false".equalsIgnoreCase(brokerProps.getOrDefault("log.cleaner.enable", "true").trim())) {
            long backoff = longProp("log.cleaner.backoff.ms", 15_000L);
            tasks.add(scheduler.scheduleWithFixedDelay(this::runCleaner, backoff, backoff, TimeUnit.MILLISECONDS));
        }
        long flush = Math.min(longProp("log.flush.scheduler.interval.ms", 1000L), 24L * 3600 * 1000);
        tasks.add(scheduler.scheduleWithFixedDelay(this::runFlush, flush, flush, TimeUnit.MILLISECONDS));
    }

    /** One retention pass over every log (also what the scheduled task runs). */
    public int runRetention() {
        int deleted = 0;
        for (PartitionLog log : logs.values()) {
            if (log.isFailed()) {
                continue;
            }
            try {
                deleted += log.deleteExpiredSegments();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "TRIB-LOG-010 retention failed for " + log, e);
            }
        }
        return deleted;
    }

    /** One compaction pass over every compacted log. */
    public void runCleaner() {
        for (PartitionLog log : logs.values()) {
            if (!log.config().compact() || log.isFailed()) {
                continue;
            }
            try {
                log.compact();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "TRIB-LOG-011 compaction failed for " + log, e);
            }
        }
    }

    /** One pass of the flush scheduler over every log ({@link PartitionLog#flushIfDue}). */
    public void runFlush() {
        for (PartitionLog log : logs.values()) {
            if (log.isFailed()) {
                continue;
            }
            try {
                log.flushIfDue();
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, "TRIB-LOG-012 flush failed for " + log, e);
            }
        }
    }

    /** The log of {@code tp}, created if absent; an existing log takes {@code config}. */
    public PartitionLog getOrCreate(TopicPartition tp, LogConfig config) throws IOException {
        if (closed) {
            throw new IllegalStateException("log manager is closed");
        }
        try {
            PartitionLog log = logs.computeIfAbsent(tp, k -> {
                try {
                    return watched(PartitionLog.open(dataDir.resolve(k.topic() + "-" + k.partition()), config, time, scheduler));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            if (!log.config().equals(config)) {
                log.updateConfig(config);
            }
            return log;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    public Optional<PartitionLog> get(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    public Map<TopicPartition, PartitionLog> all() {
        return Collections.unmodifiableMap(new java.util.HashMap<>(logs));
    }

    public void delete(TopicPartition tp) throws IOException {
        PartitionLog log = logs.remove(tp);
        if (log != null) {
            log.delete();
        }
    }

    /**
     * Closes the log of {@code tp} cleanly and renames its directory to
     * {@code <topic>-<partition>.<millis>-stray}, which {@link #open} never loads again; the data
     * stays on disk for an operator to inspect or move back. Returns the new directory, or empty
     * when this manager has no such log.
     */
    public Optional<Path> moveAside(TopicPartition tp) throws IOException {
        PartitionLog log = logs.remove(tp);
        if (log == null) {
            return Optional.empty();
        }
        log.close();
        Path from = dataDir.resolve(tp.topic() + "-" + tp.partition());
        Path to = dataDir.resolve(tp.topic() + "-" + tp.partition() + "." + time.milliseconds() + "-stray");
        Files.move(from, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        CheckpointFile.fsyncDirectory(dataDir);
        return Optional.of(to);
    }

    public LogConfig brokerDefaults() {
        return brokerDefaults;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        tasks.forEach(t -> t.cancel(false));
        java.util.Queue<PartitionLog> left = new java.util.concurrent.ConcurrentLinkedQueue<>(logs.values());
        int threads = Math.min(CLOSE_THREADS, left.size());
        if (threads <= 1) {
            closeAll(left);
            return;
        }
        // A clean close is a few fsyncs per log, each waiting for the disk rather than the CPU, so
        // several logs close at a time (Kafka also closes logs on a pool of threads).
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "tributary-log-close");
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> closers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            closers.add(pool.submit(() -> {
                closeAll(left);
                return null;
            }));
        }
        pool.shutdown();
        IOException first = null;
        boolean interrupted = false;
        for (Future<?> f : closers) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // every log must still be closed: keep waiting
                } catch (ExecutionException e) {
                    if (first == null) {
                        first = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (first != null) {
            throw first;
        }
    }

    /** Closes logs taken from {@code left} until it is empty; every one is tried, the first failure is thrown at the end. */
    private static void closeAll(java.util.Queue<PartitionLog> left) throws IOException {
        IOException first = null;
        for (PartitionLog log = left.poll(); log != null; log = left.poll()) {
            try {
                log.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
