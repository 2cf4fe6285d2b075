package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * Test harness: voters (and observers) of one quorum in this JVM, each with its own storage
 * directory under {@code root} and a free port on 127.0.0.1. Members can be stopped, wiped and
 * started again with a fresh state machine. Not thread-safe (test thread only).
 */
final class QuorumCluster implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final Path root;
    private final QuorumConfig.Builder base;
    private final Map<Integer, RaftQuorum> members = new TreeMap<>();
    private final Map<Integer, ListStateMachine> machines = new HashMap<>();
    private final Map<Integer, LeaderRequestHandler> handlers = new HashMap<>();
    /** Every request the default handler ran, as "member:request", in the order run. */
    private final List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();

    QuorumCluster(Path root, int voters, int observers, UnaryOperator<QuorumConfig.Builder> tweak) {
        this.root = root;
        QuorumConfig.Builder b = QuorumConfig.builder().clusterId("test-" + UUID.randomUUID());
        for (int id = 1; id <= voters; id++) {
            b.voter(id, "127.0.0.1:" + freePort());
        }
        for (int id = voters + 1; id <= voters + observers; id++) {
            b.observer(id, "127.0.0.1:" + freePort());
        }
        this.base = tweak.apply(b);
    }

    static int freePort() {
        return org.tributary.testing.FreePorts.next();
    }

    QuorumConfig config(int id) {
        return base.localId(id).storageDir(root.resolve("node-" + id).resolve("__cluster_metadata")).build();
    }

    /** Starts member {@code id} with a fresh state machine (state comes from its storage). */
    RaftQuorum start(int id) throws IOException {
        return start(id, UnaryOperator.identity());
    }

    /** Starts member {@code id} with its configuration changed by {@code override} (e.g. other key material). */
    RaftQuorum start(int id, UnaryOperator<QuorumConfig.Builder> override) throws IOException {
        ListStateMachine sm = new ListStateMachine();
        LeaderRequestHandler h = handlers.getOrDefault(id, req -> {
            String text = new String(req, StandardCharsets.UTF_8);
            handled.add(id + ":" + text);
            return CompletableFuture.completedFuture(("echo " + id + ":" + text).getBytes(StandardCharsets.UTF_8));
        });
        RaftQuorum q = RaftQuorum.start(override.apply(config(id).toBuilder()).build(), sm, h);
        members.put(id, q);
        machines.put(id, sm);
        return q;
    }

    /** The requests the default handler ran so far, as "member:request". */
    List<String> handled() {
        return List.copyOf(handled);
    }

    void handler(int id, LeaderRequestHandler h) {
        handlers.put(id, h);
    }

    void startAll(int... ids) throws IOException {
        for (int id : ids) {
            start(id);
        }
    }

    void stop(int id) {
        RaftQuorum q = members.remove(id);
        if (q != null) {
            q.close();
        }
    }

    void wipe(int id) throws IOException {
        Path dir = root.resolve("node-" + id);
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    Path storage(int id) {
        return config(id).storageDir();
    }

    RaftQuorum member(int id) {
        return members.get(id);
    }

    ListStateMachine sm(int id) {
        return machines.get(id);
    }

    Map<Integer, RaftQuorum> running() {
        return members;
    }

    /** Waits for a ready leader among the running members and returns it. */
    RaftQuorum awaitLeader() {
        RaftQuorum[] found = new RaftQuorum[1];
        await("a ready leader among " + members.keySet(), WAIT, () -> {
            for (RaftQuorum q : members.values()) {
                if (q.isLeader()) {
                    found[0] = q;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /** Appends {@code n} entries "prefix-i" through the leader, each waited for. */
    void appendAll(String prefix, int n) throws Exception {
        for (int i = 0; i < n; i++) {
            RaftQuorum leader = awaitLeader();
            leader.appendAsLeader(leader.epoch(), (prefix + "-" + i).getBytes(StandardCharsets.UTF_8))
                    .get(10, TimeUnit.SECONDS);
        }
    }

    /** Waits until every running member's state machine holds {@code size} entries. */
    void awaitAllApplied(int size) {
        for (Map.Entry<Integer, RaftQuorum> e : members.entrySet()) {
            ListStateMachine sm = machines.get(e.getKey());
            await("member " + e.getKey() + " holds " + size + " entries (" + sm.summary() + ")", WAIT,
                    () -> sm.size() >= size);
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for " + what);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
        // the condition held when the loop ended; asking again would race with a member that keeps
        // working (a snapshot being written and the old one not yet purged), so it is not asked twice
    }

    /** The number of application entries (not Ratis's own) in member {@code id}'s log. */
    long applicationEntriesInLog(int id) throws Exception {
        org.apache.ratis.server.raftlog.RaftLog log = members.get(id).division().getRaftLog();
        long n = 0;
        for (long i = log.getStartIndex(); i < log.getNextIndex(); i++) {
            if (log.get(i).hasStateMachineLogEntry()) {
                n++;
            }
        }
        return n;
    }

    @Override
    public void close() {
        for (Integer id : members.keySet().toArray(new Integer[0])) {
            stop(id);
        }
    }
}
