package org.tributary.group;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;

/**
 * The offsets topic in memory: every append kept in order per partition (the list index is the
 * offset); some partitions can be led "elsewhere". Each partition has a leader epoch and a high
 * watermark: with {@link #autoReplicate} (the default) the high watermark follows every append,
 * as for a lone replica; without it, it moves only when a test calls {@link #replicate}.
 */
final class MemoryCoordinatorLog implements CoordinatorLog {
    final Map<Integer, List<Entry>> partitions = new HashMap<>();
    final Set<Integer> ledElsewhere = new HashSet<>();
    final Map<TopicPartition, Long> endOffsets = new HashMap<>();
    private final Map<Integer, Integer> epochs = new HashMap<>();
    private final Map<Integer, Long> highWatermarks = new HashMap<>();
    private final List<Waiter> waiters = new ArrayList<>();
    /** Per partition: the producer id of each transactional record (by offset), and the markers (offset: producer id, commit). */
    final Map<Integer, Map<Integer, Long>> txnRecords = new HashMap<>();
    final Map<Integer, Map<Integer, Map.Entry<Long, Boolean>>> markers = new HashMap<>();
    /** Runs once at the end of the next replay, after it has read the log (something written while a load installs). */
    Runnable afterReplay;
    boolean failWrites;
    boolean tooFewInSyncReplicas;
    boolean autoReplicate = true;

    private record Waiter(int partition, long offset, int epoch, CompletableFuture<Errors> result) {
    }

    @Override
    public int partitionCount() {
        return 50;
    }

    @Override
    public void createIfMissing() {
    }

    @Override
    public synchronized int leaderEpoch(int partition) {
        return ledElsewhere.contains(partition) ? -1 : epochs.getOrDefault(partition, 0);
    }

    /** The partition's current leader epoch, whoever leads it. */
    synchronized int epoch(int partition) {
        return epochs.getOrDefault(partition, 0);
    }

    synchronized long highWatermark(int partition) {
        return highWatermarks.getOrDefault(partition, 0L);
    }

    private List<Entry> entries(int partition) {
        return partitions.computeIfAbsent(partition, p -> new ArrayList<>());
    }

    @Override
    public Appended append(int partition, List<Entry> entries) throws IOException {
        Appended a;
        synchronized (this) {
            if (failWrites) {
                throw new IOException("disk full");
            }
            if (ledElsewhere.contains(partition)) {
                throw new NotLeaderOrFollowerException("partition " + partition + " is led elsewhere");
            }
            if (tooFewInSyncReplicas) {
                throw new NotEnoughReplicasException("too few in-sync replicas");
            }
            List<Entry> log = entries(partition);
            long base = log.size();
            log.addAll(entries);
            if (autoReplicate) {
                highWatermarks.put(partition, (long) log.size());
            }
            a = new Appended(base, log.size(), leaderEpoch(partition));
        }
        check();
        return a;
    }

    @Override
    public Appended appendTransactional(int partition, List<Entry> entries, long producerId, short producerEpoch) throws IOException {
        Appended a = append(partition, entries);
        synchronized (this) {
            for (long o = a.baseOffset(); o < a.nextOffset(); o++) {
                txnRecords.computeIfAbsent(partition, p -> new HashMap<>()).put((int) o, producerId);
            }
        }
        return a;
    }

    /** A transaction marker of {@code producerId} (as WriteTxnMarkers writes it); returns its offset. */
    long writeMarker(int partition, long producerId, boolean commit) throws IOException {
        Appended a = append(partition, List.of(new Entry(new byte[0], new byte[0])));
        synchronized (this) {
            markers.computeIfAbsent(partition, p -> new HashMap<>()).put((int) a.baseOffset(), Map.entry(producerId, commit));
        }
        return a.baseOffset();
    }

    @Override
    public CompletableFuture<Errors> awaitCommitted(int partition, long offset, int leaderEpoch, long timeoutMs) {
        CompletableFuture<Errors> result = new CompletableFuture<>();
        synchronized (this) {
            waiters.add(new Waiter(partition, offset, leaderEpoch, result));
        }
        check();
        return result;
    }

    /** Completes the waits that can complete, outside the lock (their callbacks take the coordinator's). */
    private void check() {
        List<Map.Entry<Waiter, Errors>> done = new ArrayList<>();
        synchronized (this) {
            for (Waiter w : List.copyOf(waiters)) {
                Errors state = leaderEpoch(w.partition()) != w.epoch() ? Errors.NOT_LEADER_OR_FOLLOWER
                        : highWatermark(w.partition()) >= w.offset() ? Errors.NONE : null;
                if (state != null) {
                    waiters.remove(w);
                    done.add(Map.entry(w, state));
                }
            }
        }
        done.forEach(d -> d.getKey().result().complete(d.getValue()));
    }

    /** The followers caught up: the high watermark moves to the log end. */
    void replicate(int partition) {
        synchronized (this) {
            highWatermarks.put(partition, (long) entries(partition).size());
        }
        check();
    }

    /** The followers caught up to {@code highWatermark} (exclusive): writes below it are committed, later ones still wait. */
    void replicateTo(int partition, long highWatermark) {
        synchronized (this) {
            highWatermarks.put(partition, Math.min(highWatermark, entries(partition).size()));
        }
        check();
    }

    /** The partition's log end offset (where the next append lands). */
    synchronized long logEnd(int partition) {
        return entries(partition).size();
    }

    /** Every waiting write times out. */
    void timeOutWaits() {
        List<Waiter> all;
        synchronized (this) {
            all = List.copyOf(waiters);
            waiters.clear();
        }
        all.forEach(w -> w.result().complete(Errors.REQUEST_TIMED_OUT));
    }

    /** Another broker takes over the partition; what it never got (above the high watermark) is truncated away. */
    void loseLeadership(int partition) {
        synchronized (this) {
            ledElsewhere.add(partition);
            epochs.merge(partition, 1, Integer::sum);
            List<Entry> log = entries(partition);
            int hw = (int) highWatermark(partition);
            log.subList(hw, log.size()).clear();
            txnRecords.getOrDefault(partition, new HashMap<>()).keySet().removeIf(o -> o >= hw);
            markers.getOrDefault(partition, new HashMap<>()).keySet().removeIf(o -> o >= hw);
        }
        check();
    }

    /** This broker leads the partition again, in a new leader epoch; returns it. */
    synchronized int regainLeadership(int partition) {
        ledElsewhere.remove(partition);
        return epochs.merge(partition, 1, Integer::sum);
    }

    synchronized int waiting() {
        return waiters.size();
    }

    @Override
    public synchronized long replay(int partition, Replay replay) {
        if (ledElsewhere.contains(partition)) {
            throw new NotLeaderOrFollowerException("partition " + partition + " is led elsewhere");
        }
        replay.begin(highWatermark(partition), leaderEpoch(partition));
        List<Entry> log = entries(partition);
        Map<Integer, Long> txn = txnRecords.getOrDefault(partition, Map.of());
        Map<Integer, Map.Entry<Long, Boolean>> marks = markers.getOrDefault(partition, Map.of());
        for (int i = 0; i < log.size(); i++) {
            Map.Entry<Long, Boolean> m = marks.get(i);
            if (m != null) {
                replay.marker(i, m.getKey(), m.getValue());
            } else if (txn.containsKey(i)) {
                replay.record(i, log.get(i).key(), log.get(i).value(), txn.get(i), true);
            } else {
                replay.record(i, log.get(i).key(), log.get(i).value());
            }
        }
        int end = log.size();
        Runnable hook = afterReplay;
        afterReplay = null;
        if (hook != null) {
            hook.run();
        }
        return end;
    }

    @Override
    public OptionalLong endOffset(TopicPartition tp) {
        Long end = endOffsets.get(tp);
        return end == null ? OptionalLong.empty() : OptionalLong.of(end);
    }

    long tombstones() {
        return partitions.values().stream().flatMap(List::stream).filter(e -> e.value() == null).count();
    }
}
