package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.raftlog.RaftLog;

/**
 * Test harness: three (or more) live voters whose network links can be cut one direction at a
 * time, with the Raft invariants checked continuously while the test runs.
 *
 * <p><b>How links are cut.</b> Every ordered pair of members (X, Y) has its own {@link LinkProxy}
 * {@code X->Y} that forwards to Y's real port. Member X is started with its own view of the
 * voters: its own entry is its real address, every other voter Y's entry is the port of the proxy
 * {@code X->Y}. This works because Ratis keeps the address it first learned for a peer id: its
 * {@code PeerProxyMap.addRaftPeers} only adds ids it does not know, so the addresses in
 * configuration entries written by another leader (which carry that leader's view) never replace
 * the local ones. Every Raft RPC (append entries, heartbeats, votes, pre-votes, snapshots) is a
 * request from the caller answered on the caller's connection, so the link {@code X->Y} carries
 * X's requests to Y and Y's answers to X, and nothing else: cutting it means X cannot reach Y
 * while Y may still reach X through {@code Y->X}. Isolating X in both directions cuts every
 * link from and to X. A cut closes the open connections and black-holes new ones (see
 * {@link LinkProxy}), so the cut side's requests time out as in a real partition.
 *
 * <p><b>Invariants.</b> A checker thread samples every member every few milliseconds and records
 * any violation of: at most one leader per term (from Ratis's role and term, read twice to get a
 * consistent pair); the applied sequences (offset and entry) of all members are prefixes of one
 * another; no member applied an offset twice or out of order ({@link ListStateMachine#errors()}).
 * Tests call {@link #assertInvariants()} after each step. Appends made through {@link #append}
 * that report success are remembered; {@link #assertAcknowledgedEverywhere()} checks that each is
 * applied at its offset on every member.
 */
final class PartitionedQuorum implements AutoCloseable {
    private final QuorumCluster cluster;
    private final Map<Integer, Integer> realPorts = new TreeMap<>();
    private final Map<String, LinkProxy> links = new HashMap<>();
    private final Map<Long, Integer> leaderOfTerm = new ConcurrentHashMap<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Map<Long, String> acknowledged = new ConcurrentHashMap<>();
    private final Thread checker;
    private volatile boolean running = true;
    private volatile long longestGapMs;

    PartitionedQuorum(Path root, int voters) throws Exception {
        this.cluster = new QuorumCluster(root, voters, 0, b -> b);
        for (int id = 1; id <= voters; id++) {
            String a = cluster.config(id).voters().get(id);
            realPorts.put(id, Integer.parseInt(a.substring(a.lastIndexOf(':') + 1)));
        }
        for (int from : realPorts.keySet()) {
            for (int to : realPorts.keySet()) {
                if (from != to) {
                    links.put(from + "->" + to, new LinkProxy(from + "->" + to, QuorumCluster.freePort(), realPorts.get(to)));
                }
            }
        }
        for (int id : realPorts.keySet()) {
            Map<Integer, String> view = new TreeMap<>();
            for (int other : realPorts.keySet()) {
                view.put(other, "127.0.0.1:" + (other == id ? realPorts.get(id) : link(id, other).port()));
            }
            cluster.start(id, b -> b.voters(view).bindAddress("127.0.0.1:" + realPorts.get(id)));
        }
        checker = new Thread(this::checkLoop, "partition-invariants");
        checker.setDaemon(true);
        checker.start();
    }

    QuorumCluster cluster() {
        return cluster;
    }

    RaftQuorum member(int id) {
        return cluster.member(id);
    }

    ListStateMachine sm(int id) {
        return cluster.sm(id);
    }

    LinkProxy link(int from, int to) {
        return links.get(from + "->" + to);
    }

    /** Cuts the link {@code from -> to}: {@code from} can no longer reach {@code to} (the other direction is untouched). */
    void cut(int from, int to) {
        link(from, to).cut();
    }

    /** Cuts every link from and to {@code id}. */
    void isolate(int id) {
        for (int other : realPorts.keySet()) {
            if (other != id) {
                cut(id, other);
                cut(other, id);
            }
        }
    }

    /** Holds every link from and to {@code id}, as if its process were stopped (SIGSTOP): nothing is lost, only held. */
    void pause(int id) {
        for (int other : realPorts.keySet()) {
            if (other != id) {
                link(id, other).pause();
                link(other, id).pause();
            }
        }
    }

    /** Delivers what {@link #pause} held and forwards again (SIGCONT). */
    void resume(int id) {
        for (int other : realPorts.keySet()) {
            if (other != id) {
                link(id, other).resume();
                link(other, id).resume();
            }
        }
    }

    void healAll() {
        links.values().forEach(LinkProxy::heal);
    }

    /** Appends through member {@code id} in its current epoch; a success is remembered for {@link #assertAcknowledgedEverywhere}. */
    CompletableFuture<Long> append(int id, String entry) {
        RaftQuorum q = cluster.member(id);
        return q.appendAsLeader(q.epoch(), entry.getBytes(StandardCharsets.UTF_8)).whenComplete((offset, e) -> {
            if (e == null) {
                String before = acknowledged.putIfAbsent(offset, entry);
                if (before != null && !before.equals(entry)) {
                    violations.add("offset " + offset + " acknowledged for both '" + before + "' and '" + entry + "'");
                }
            }
        });
    }

    /** The member that is the ready leader, or -1. */
    int readyLeader() {
        for (Map.Entry<Integer, RaftQuorum> e : cluster.running().entrySet()) {
            if (e.getValue().isLeader()) {
                return e.getKey();
            }
        }
        return -1;
    }

    private void checkLoop() {
        long last = System.nanoTime();
        while (running) {
            long now = System.nanoTime();
            longestGapMs = Math.max(longestGapMs, (now - last) / 1_000_000);
            last = now;
            check();
            try {
                Thread.sleep(5); // sampling period of a background checker, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One sample of every invariant; violations are recorded (the checker runs on its own thread). */
    synchronized void check() {
        for (Map.Entry<Integer, RaftQuorum> e : cluster.running().entrySet()) {
            DivisionInfo info = infoOf(e.getValue());
            if (info == null) {
                continue;
            }
            long term = info.getCurrentTerm();
            boolean leader = info.isLeader();
            if (leader && info.getCurrentTerm() == term) {
                Integer before = leaderOfTerm.putIfAbsent(term, e.getKey());
                if (before != null && before.intValue() != e.getKey()) {
                    violations.add("two leaders in term " + term + ": " + before + " and " + e.getKey());
                }
            }
        }
        Map<Integer, List<String>> applied = new TreeMap<>();
        for (int id : realPorts.keySet()) {
            ListStateMachine sm = cluster.sm(id);
            applied.put(id, sm.applied());
            for (String error : sm.errors()) {
                addOnce("member " + id + ": " + error);
            }
        }
        for (Map.Entry<Integer, List<String>> a : applied.entrySet()) {
            for (Map.Entry<Integer, List<String>> b : applied.entrySet()) {
                List<String> x = a.getValue();
                List<String> y = b.getValue();
                if (a.getKey() < b.getKey() && !x.subList(0, Math.min(x.size(), y.size()))
                        .equals(y.subList(0, Math.min(x.size(), y.size())))) {
                    addOnce("applied sequences of members " + a.getKey() + " and " + b.getKey() + " diverge: " + x + " vs " + y);
                }
            }
        }
    }

    private void addOnce(String v) {
        if (!violations.contains(v)) {
            violations.add(v);
        }
    }

    /** Samples once more and fails with every violation seen since the start. */
    void assertInvariants() {
        check();
        assertEquals(List.of(), violations, "invariant violations");
    }

    /**
     * The longest time the checker thread was not scheduled (it samples every 5 ms): a stall of
     * the whole test JVM (GC, a starved machine) longer than the minimum election timeout lets
     * followers' timers expire and may cause a legitimate election that no partition caused.
     */
    long longestStallMs() {
        return longestGapMs;
    }

    /** Starts measuring {@link #longestStallMs()} afresh (e.g. at a cut; starting members stalls more). */
    void resetStallWatch() {
        longestGapMs = 0;
    }

    /** Each leader's term as observed by the checker. */
    Map<Long, Integer> leadersByTerm() {
        return new TreeMap<>(leaderOfTerm);
    }

    /** Every append reported successful is applied at its offset on every member (call once all caught up). */
    void assertAcknowledgedEverywhere() {
        for (int id : realPorts.keySet()) {
            Map<Long, String> byOffset = new HashMap<>();
            List<String> entries = cluster.sm(id).entries();
            List<Long> offsets = cluster.sm(id).offsets();
            for (int i = 0; i < entries.size(); i++) {
                byOffset.put(offsets.get(i), entries.get(i));
            }
            for (Map.Entry<Long, String> a : acknowledged.entrySet()) {
                assertEquals(a.getValue(), byOffset.get(a.getKey()), "acknowledged entry at offset " + a.getKey()
                        + " applied on member " + id);
            }
        }
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    /** The application entries in member {@code id}'s Raft log (committed or not) whose payload contains {@code marker}. */
    List<Long> logEntriesContaining(int id, String marker) throws Exception {
        RaftLog log = cluster.member(id).division().getRaftLog();
        List<Long> found = new ArrayList<>();
        for (long i = log.getStartIndex(); i < log.getNextIndex(); i++) {
            var e = log.get(i);
            if (e != null && e.hasStateMachineLogEntry()
                    && e.getStateMachineLogEntry().getLogData().toString(StandardCharsets.ISO_8859_1).contains(marker)) {
                found.add(i);
            }
        }
        return found;
    }

    @Override
    public void close() throws Exception {
        running = false;
        checker.interrupt();
        checker.join(2000);
        cluster.close();
        for (LinkProxy l : links.values()) {
            l.close();
        }
        if (!violations.isEmpty()) {
            fail("invariant violations: " + violations);
        }
    }

    /** A member's Ratis division info, or null while it is not available. */
    static DivisionInfo infoOf(RaftQuorum q) {
        try {
            var d = q.division();
            return d == null ? null : d.getInfo();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
