package org.tributary.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Leader epoch -> first offset written in that epoch, persisted in {@code leader-epoch-checkpoint}
 * (Kafka's format: version line, entry count, then "epoch startOffset" lines). Invariant: both epochs
 * and start offsets strictly increase. Appends add an entry when a batch carries an epoch above the
 * latest; truncation removes entries at or after the truncation point; advancing the log start
 * offset moves the earliest surviving entry forward.
 *
 * <p>Thread-safe (synchronized); mutations are also serialized by the owning log's lock.
 */
final class LeaderEpochCache {
    static final String FILE_NAME = "leader-epoch-checkpoint";
    private final CheckpointFile file;
    private final TreeMap<Integer, Long> epochs = new TreeMap<>();

    LeaderEpochCache(Path dir) throws IOException {
        this(dir, true);
    }

    /** With {@code read} false the directory is known to be new: the (absent) file is not looked for. */
    LeaderEpochCache(Path dir, boolean read) throws IOException {
        this.file = new CheckpointFile(dir.resolve(FILE_NAME));
        List<String> lines = read ? file.read().orElse(List.of()) : List.of();
        if (!lines.isEmpty()) {
            int n = Integer.parseInt(lines.get(0).trim());
            for (int i = 1; i <= n && i < lines.size(); i++) {
                String[] parts = lines.get(i).trim().split("\\s+");
                epochs.put(Integer.parseInt(parts[0]), Long.parseLong(parts[1]));
            }
        }
        written = lines();
    }

    /** The file's lines as last written or read (the content, whether or not the file exists). */
    private List<String> written;

    /** The entries changed and are not written yet (a new leader's epoch on an empty log). */
    private boolean checkpointDeferred;

    /** Records that {@code epoch} starts at {@code startOffset} if it is newer than the latest. Returns true if changed. */
    synchronized boolean assign(int epoch, long startOffset) {
        if (epoch < 0) {
            return false;
        }
        Map.Entry<Integer, Long> last = epochs.lastEntry();
        if (last != null && (epoch <= last.getKey() || startOffset < last.getValue())) {
            return false;
        }
        // an older epoch that starts at the same offset holds nothing: the new one replaces it (Kafka)
        epochs.values().removeIf(start -> start >= startOffset);
        epochs.put(epoch, startOffset);
        return true;
    }

    synchronized OptionalInt latestEpoch() {
        return epochs.isEmpty() ? OptionalInt.empty() : OptionalInt.of(epochs.lastKey());
    }

    synchronized OptionalInt epochForOffset(long offset) {
        int found = -1;
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
            if (e.getValue() <= offset) {
                found = e.getKey();
            }
        }
        return found < 0 ? OptionalInt.empty() : OptionalInt.of(found);
    }

    /**
     * Kafka's OffsetForLeaderEpoch rule: the requested epoch if it is the latest (ending at the log end
     * offset); otherwise the largest epoch {@code <=} requested, ending where the next higher epoch starts
     * (when requested is below every epoch: requested itself, ending at the first epoch's start);
     * undefined (-1, -1) when requested is above the latest or the cache is empty.
     */
    synchronized EpochEndOffset endOffsetFor(int requested, long logEndOffset) {
        if (requested < 0 || epochs.isEmpty()) {
            return EpochEndOffset.UNDEFINED;
        }
        if (requested == epochs.lastKey()) {
            return new EpochEndOffset(requested, logEndOffset);
        }
        Map.Entry<Integer, Long> higher = epochs.higherEntry(requested);
        if (higher == null) {
            return EpochEndOffset.UNDEFINED;
        }
        Map.Entry<Integer, Long> floor = epochs.floorEntry(requested);
        return floor == null ? new EpochEndOffset(requested, higher.getValue())
                : new EpochEndOffset(floor.getKey(), higher.getValue());
    }

    /** Removes entries starting at or after {@code offset} (log truncated to offset). */
    synchronized boolean truncateFromEnd(long offset) {
        return epochs.values().removeIf(start -> start >= offset);
    }

    /** The log now starts at {@code offset}: earlier entries go, the last of them moves to offset. */
    synchronized boolean truncateFromStart(long offset) {
        Map.Entry<Integer, Long> floor = null;
        for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
            if (e.getValue() <= offset) {
                floor = e;
            }
        }
        if (floor == null || floor.getValue() == offset && epochs.firstKey().equals(floor.getKey())) {
            return false;
        }
        int keepEpoch = floor.getKey();
        epochs.headMap(keepEpoch, false).clear();
        epochs.put(keepEpoch, offset);
        return true;
    }

    synchronized void clear() {
        epochs.clear();
    }

    synchronized Map<Integer, Long> entries() {
        return new TreeMap<>(epochs);
    }

    /** The entries changed but are not written yet: {@link #checkpoint} must run before data depends on them. */
    synchronized void deferCheckpoint() {
        checkpointDeferred = true;
    }

    synchronized boolean checkpointDeferred() {
        return checkpointDeferred;
    }

    void checkpoint() throws IOException {
        List<String> lines;
        synchronized (this) {
            checkpointDeferred = false;
            lines = lines();
        }
        file.write(lines);
        synchronized (this) {
            written = lines;
        }
    }

    /**
     * {@link #checkpoint} unless the file already holds these entries (a clean shutdown of a log
     * whose epochs did not change since they were written saves two fsyncs).
     */
    void checkpointIfChanged() throws IOException {
        synchronized (this) {
            if (!checkpointDeferred && lines().equals(written)) {
                return;
            }
        }
        checkpoint();
    }

    private synchronized List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(Integer.toString(epochs.size()));
        epochs.forEach((e, o) -> lines.add(e + " " + o));
        return lines;
    }
}
