package org.tributary.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** Collects the messages one logger writes while it is open (all levels the logger lets through). */
public final class LogCapture extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<LogRecord> records = new ArrayList<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
    }

    /** Starts collecting what {@code loggerName} writes; close to stop. */
    public static LogCapture on(String loggerName) {
        LogCapture c = new LogCapture(Logger.getLogger(loggerName));
        c.logger.addHandler(c);
        return c;
    }

    /** The messages so far, in order (a copy). */
    public synchronized List<String> messages() {
        return records.stream().map(LogRecord::getMessage).collect(java.util.stream.Collectors.toCollection(ArrayList::new));
    }

    /** The records so far (level and message), in order (a copy). */
    public synchronized List<LogRecord> records() {
        return new ArrayList<>(records);
    }

    @Override
    public synchronized void publish(LogRecord r) {
        records.add(r);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
