package org.tributary.replication;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.partition.Partition;
import org.tributary.replication.LogMirror.Rec;

/**
 * The safety invariants of one simulation run, checked after every step against the real
 * partitions' state and the logs as read from disk ({@link LogMirror}):
 * <ol>
 * <li>every record acknowledged with acks=all stays, at its offset, in the leader's log and in the
 * log of every in-sync replica, for ever;</li>
 * <li>no fork below a high watermark: the records below any replica's high watermark are the same
 * (offset, leader epoch, value) as every other replica's there; the highest high watermark seen
 * marks what is committed, and committed records never change or disappear;</li>
 * <li>a leader's high watermark never goes back within its leader epoch;</li>
 * <li>the controller's partition: a non-empty ISR of distinct replicas holding the leader, which
 * changes only to a member of the previous ISR (no unclean election); a leading replica is in its
 * own ISR;</li>
 * <li>(after settling, {@link #checkConverged}) identical logs, the ISR every replica;</li>
 * <li>an idempotent retry reported as a duplicate names offsets that hold that batch (no false
 * duplicate after its first write was truncated away), and nothing is written twice (the mirror
 * refuses a value twice in one log).</li>
 * </ol>
 */
final class SafetyChecker {
    private final ReplicationSim sim;
    /** The committed prefix: index = offset (logs start at 0 here). */
    private final List<Rec> committed = new ArrayList<>();
    private final Map<Long, Rec> acked = new TreeMap<>();
    private int ackedChecked;
    private final Map<String, Long> leaderHighWatermarks = new HashMap<>();
    /** Per broker: the mirror version and high watermark already compared with the committed prefix. */
    private final Map<Integer, long[]> hwChecked = new HashMap<>();
    /** Per broker: the mirror version and committed length already checked as an in-sync replica. */
    private final Map<Integer, long[]> isrChecked = new HashMap<>();
    private int imagesChecked;
    private PartitionRegistration lastRegistration;

    SafetyChecker(ReplicationSim sim) {
        this.sim = sim;
    }

    void check() {
        checkController();
        for (SimBroker b : sim.brokers.values()) {
            if (b.partition != null) {
                checkReplica(b);
            }
        }
        checkInSyncReplicas();
        checkAcked();
    }

    private static void fail(String message) {
        throw new AssertionError(message);
    }

    /** Invariant 4 on every committed metadata entry, and leader changes only within the ISR. */
    private void checkController() {
        for (; imagesChecked < sim.images.size(); imagesChecked++) {
            MetadataImage img = sim.images.get(imagesChecked);
            PartitionRegistration reg = img.topic(ReplicationSim.TOPIC).map(t -> t.partition(0)).orElse(null);
            if (reg == null) {
                continue;
            }
            String where = "metadata entry " + img.offset() + ": " + reg;
            if (reg.isr().isEmpty() || new HashSet<>(reg.isr()).size() != reg.isr().size() || !reg.replicas().containsAll(reg.isr())) {
                fail(where + ": the ISR is not a non-empty set of replicas");
            }
            if (reg.leader() >= 0 && !reg.isr().contains(reg.leader())) {
                fail(where + ": the leader is not in the ISR");
            }
            PartitionRegistration last = lastRegistration;
            if (last != null) {
                if (reg.leaderEpoch() < last.leaderEpoch() || reg.partitionEpoch() < last.partitionEpoch()) {
                    fail(where + ": epochs went back from " + last);
                }
                if (reg.leader() >= 0 && reg.leader() != last.leader() && !last.isr().contains(reg.leader())) {
                    fail(where + ": leader " + reg.leader() + " was elected from outside the ISR " + last.isr() + " (unclean)");
                }
            }
            lastRegistration = reg;
        }
    }

    /** Invariants 2 and 3 for one replica. */
    private void checkReplica(SimBroker b) {
        Partition p = b.partition;
        LogMirror m = b.mirror;
        if (m.end() != p.logEndOffset()) {
            throw new IllegalStateException("the simulation did not re-read the log of broker " + b.id + ": " + m.end() + " vs "
                    + p.logEndOffset());
        }
        long hw = p.highWatermark();
        if (hw > p.logEndOffset() || hw < m.start()) {
            fail("broker " + b.id + ": high watermark " + hw + " outside its log " + m.start() + ".." + p.logEndOffset());
        }
        if (p.isLeader()) {
            if (!p.isr().contains(b.id)) {
                fail("broker " + b.id + " leads with an ISR " + p.isr() + " that does not hold it");
            }
            String key = b.id + "/" + b.incarnation + "/" + p.leaderEpoch();
            Long before = leaderHighWatermarks.put(key, hw);
            if (before != null && hw < before) {
                fail("the high watermark of leader " + b.id + " went back from " + before + " to " + hw + " in leader epoch "
                        + p.leaderEpoch());
            }
        }
        long[] done = hwChecked.get(b.id);
        long from = done != null && done[0] == m.version() ? Math.min(done[1], hw) : m.start();
        for (long o = from; o < hw; o++) {
            Rec r = m.at(o);
            if (o < committed.size()) {
                if (!committed.get((int) o).equals(r)) {
                    fail("fork below a high watermark: broker " + b.id + " (HW " + hw + ") holds " + r + " at " + o + " where "
                            + committed.get((int) o) + " was committed");
                }
            } else if (o == committed.size()) {
                committed.add(r);
            } else {
                fail("committed prefix has a gap at " + committed.size());
            }
        }
        hwChecked.put(b.id, new long[] {m.version(), hw});
    }

    /** Invariant 1 (and the KIP-101 hazard): the leader and every in-sync replica hold every committed record. */
    private void checkInSyncReplicas() {
        PartitionRegistration reg = sim.registration();
        if (reg == null) {
            return;
        }
        Set<Integer> members = new LinkedHashSet<>(reg.isr());
        if (reg.leader() >= 0) {
            members.add(reg.leader());
        }
        for (int id : members) {
            SimBroker b = sim.brokers.get(id);
            if (b.partition == null) {
                continue;
            }
            LogMirror m = b.mirror;
            long[] done = isrChecked.get(id);
            long from = done != null && done[0] == m.version() ? done[1] : 0;
            for (long o = from; o < committed.size(); o++) {
                Rec r = m.at(o);
                if (!committed.get((int) o).equals(r)) {
                    fail("broker " + id + " is in the ISR " + reg.isr() + " (leader " + reg.leader() + ") but holds " + r + " at " + o
                            + " where " + committed.get((int) o) + " is committed");
                }
            }
            isrChecked.put(id, new long[] {m.version(), committed.size()});
        }
    }

    /** Acknowledged records are committed (and so kept by the checks above). */
    private void checkAcked() {
        if (acked.size() == ackedChecked) {
            return;
        }
        for (Map.Entry<Long, Rec> e : acked.entrySet()) {
            long o = e.getKey();
            if (o >= committed.size() || !committed.get((int) o).equals(e.getValue())) {
                fail("acknowledged " + e.getValue() + " is not committed (committed up to " + committed.size() + ")");
            }
        }
        ackedChecked = acked.size();
    }

    /** A leader appended (or found a duplicate of) {@code batch}: the answer must name where that batch is. */
    void appended(SimBroker leader, ReplicationSim.Batch batch, Partition.AppendResult r) {
        if (r.lastOffset() - r.firstOffset() + 1 != batch.values.size()) {
            fail("append of " + batch + " answered " + r.firstOffset() + ".." + r.lastOffset());
        }
        for (int i = 0; i < batch.values.size(); i++) {
            Rec rec = leader.mirror.at(r.firstOffset() + i);
            if (rec == null || !rec.value().equals(batch.values.get(i))) {
                fail((r.duplicate() ? "false duplicate: a retry of " : "append of ") + batch + " was answered with offsets "
                        + r.firstOffset() + ".." + r.lastOffset() + " but broker " + leader.id + " holds " + rec + " at "
                        + (r.firstOffset() + i) + "; log " + leader.mirror);
            }
        }
        if (r.duplicate() && !batch.producer.idempotent()) {
            fail("a batch without a producer id was taken for a duplicate: " + batch);
        }
    }

    /** acks=all answered NONE for the attempt. */
    void acked(ReplicationSim.Attempt a) {
        for (int i = 0; i < a.batch().values.size(); i++) {
            long o = a.firstOffset() + i;
            Rec rec = a.broker().mirror.at(o);
            if (rec == null || !rec.value().equals(a.batch().values.get(i))) {
                fail("acknowledged " + a.batch() + " at " + a.firstOffset() + " but broker " + a.broker().id + " holds " + rec + " at " + o);
            }
            Rec before = acked.put(o, rec);
            if (before != null && !before.equals(rec)) {
                fail("two different records acknowledged at offset " + o + ": " + before + " and " + rec);
            }
        }
    }

    /** Invariant 5, once settled: identical logs (re-read from disk) and the ISR every replica. */
    void checkConverged() throws IOException {
        PartitionRegistration reg = sim.registration();
        if (!new HashSet<>(reg.isr()).equals(new HashSet<>(reg.replicas()))) {
            fail("settled with ISR " + reg.isr() + " of replicas " + reg.replicas());
        }
        List<Rec> reference = null;
        int referenceId = -1;
        for (int id : reg.replicas()) {
            SimBroker b = sim.brokers.get(id);
            List<Rec> mirrored = b.mirror.records();
            b.mirror.reload(b.log);
            List<Rec> onDisk = b.mirror.records();
            if (!mirrored.equals(onDisk)) {
                throw new IllegalStateException("the mirror of broker " + id + " drifted from its log");
            }
            if (reference == null) {
                reference = onDisk;
                referenceId = id;
            } else if (!reference.equals(onDisk)) {
                int at = 0;
                while (at < Math.min(reference.size(), onDisk.size()) && reference.get(at).equals(onDisk.get(at))) {
                    at++;
                }
                fail("settled logs differ from index " + at + ": broker " + referenceId + " " + describe(reference) + ", broker " + id
                        + " " + describe(onDisk));
            }
            Partition p = b.partition;
            if (!new HashSet<>(p.isr()).equals(new HashSet<>(reg.isr())) || p.leaderEpoch() != reg.leaderEpoch()) {
                fail("broker " + id + " settled with " + p + " while the controller says " + reg);
            }
        }
        if (reference.size() < committed.size() || !reference.subList(0, committed.size()).equals(committed)) {
            fail("settled log lost committed records: " + describe(reference));
        }
    }

    private static String describe(List<Rec> recs) {
        return recs.size() <= 20 ? recs.toString() : "[... " + recs.subList(recs.size() - 20, recs.size()) + "]";
    }

    int committedCount() {
        return committed.size();
    }

    int ackedCount() {
        return acked.size();
    }
}
