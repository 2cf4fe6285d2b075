package org.tributary.txn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.coordinator.CoordinatorLog;

/**
 * {@code __transaction_state} in memory: appends kept in order per partition (list index = offset),
 * a leader epoch and a high watermark per partition. With {@link #autoReplicate} the high watermark
 * follows every append; without it, it moves when a test calls {@link #replicate}.
 */
final class MemoryTxnLog implements CoordinatorLog {
    final Map<Integer, List<Entry>> partitions = new HashMap<>();
    private final Set<Integer> ledElsewhere = new HashSet<>();
    private final Map<Integer, Integer> epochs = new HashMap<>();
    private final Map<Integer, Long> highWatermarks = new HashMap<>();
    private final List<Object[]> waiters = new ArrayList<>();
    boolean autoReplicate = true;
    boolean tooFewInSyncReplicas;

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

    private List<Entry> entries(int partition) {
        return partitions.computeIfAbsent(partition, p -> new ArrayList<>());
    }

    @Override
    public Appended append(int partition, List<Entry> entries) throws IOException {
        Appended a;
        synchronized (this) {
            if (ledElsewhere.contains(partition)) {
                throw new NotLeaderOrFollowerException("led elsewhere");
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
    public CompletableFuture<Errors> awaitCommitted(int partition, long offset, int leaderEpoch, long timeoutMs) {
        CompletableFuture<Errors> f = new CompletableFuture<>();
        synchronized (this) {
            waiters.add(new Object[] {partition, offset, leaderEpoch, f});
        }
        check();
        return f;
    }

    @SuppressWarnings("unchecked")
    private void check() {
        List<Map.Entry<CompletableFuture<Errors>, Errors>> done = new ArrayList<>();
        synchronized (this) {
            for (Object[] w : List.copyOf(waiters)) {
                int p = (Integer) w[0];
                Errors e = leaderEpoch(p) != (Integer) w[2] ? Errors.NOT_LEADER_OR_FOLLOWER
                        : highWatermarks.getOrDefault(p, 0L) >= (Long) w[1] ? Errors.NONE : null;
                if (e != null) {
                    waiters.remove(w);
                    done.add(Map.entry((CompletableFuture<Errors>) w[3], e));
                }
            }
        }
        done.forEach(d -> d.getKey().complete(d.getValue()));
    }

    void replicate(int partition) {
        synchronized (this) {
            highWatermarks.put(partition, (long) entries(partition).size());
        }
        check();
    }

    /** Another broker takes over; what is above the high watermark is truncated away. */
    void loseLeadership(int partition) {
        synchronized (this) {
            ledElsewhere.add(partition);
            epochs.merge(partition, 1, Integer::sum);
            List<Entry> log = entries(partition);
            log.subList((int) (long) highWatermarks.getOrDefault(partition, 0L), log.size()).clear();
        }
        check();
    }

    synchronized int regainLeadership(int partition) {
        ledElsewhere.remove(partition);
        return epochs.merge(partition, 1, Integer::sum);
    }

    synchronized List<Entry> log(int partition) {
        return List.copyOf(entries(partition));
    }

    @Override
    public synchronized long replay(int partition, Replay replay) {
        if (ledElsewhere.contains(partition)) {
            throw new NotLeaderOrFollowerException("led elsewhere");
        }
        replay.begin(highWatermarks.getOrDefault(partition, 0L), leaderEpoch(partition));
        List<Entry> log = entries(partition);
        for (int i = 0; i < log.size(); i++) {
            replay.record(i, log.get(i).key(), log.get(i).value());
        }
        return log.size();
    }
}
