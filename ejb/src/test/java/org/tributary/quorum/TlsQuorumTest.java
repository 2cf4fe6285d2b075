package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tributary.broker.MetadataNode;
import org.tributary.config.BrokerConfig;
import org.tributary.testkit.TlsFiles;

/**
 * The quorum over mutual TLS (Ratis's gRPC transport with the key material the broker's SSL
 * settings give): three voters elect and commit; a member whose certificate no member trusts, or
 * one that speaks plaintext, never gets a committed entry while the others keep their leader;
 * and what crosses the wire between voters is ciphertext (the same check sees the entries in
 * clear over the plaintext transport).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TlsQuorumTest {
    private TlsFiles files;
    private QuorumTls trusted;
    private QuorumTls stranger;

    @TempDir
    Path dir;

    @BeforeAll
    void keys() throws Exception {
        files = TlsFiles.shared();
        trusted = tls(files, files.brokerKeystore);
        stranger = tls(files, files.strangerKeystore);
    }

    /** Key material as a broker builds it from its controller listener's settings. */
    static QuorumTls tls(TlsFiles files, Path keystore) {
        Map<String, String> m = new HashMap<>(files.brokerSettings("listener.name.controller."));
        m.put("listener.name.controller.ssl.keystore.location", keystore.toString());
        m.put("controller.listener.names", "CONTROLLER");
        m.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:SSL");
        return MetadataNode.quorumTls(BrokerConfig.of(m)).orElseThrow();
    }

    @Test
    void threeVotersElectCommitAndAnswerLeaderRequestsOverMutualTls() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b.tls(trusted))) {
            c.startAll(1, 2, 3);
            RaftQuorum leader = c.awaitLeader();
            assertTrue(leader.config().tls().isPresent());
            c.appendAll("secure", 50);
            c.awaitAllApplied(50);
            List<String> expected = c.sm(leader.localId()).entries();
            for (int id = 1; id <= 3; id++) {
                assertEquals(expected, c.sm(id).entries(), "member " + id);
                assertEquals(List.of(), c.sm(id).errors());
            }
            int follower = leader.localId() % 3 + 1;
            byte[] answer = c.member(follower).requestLeader("ping".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(5))
                    .get(10, TimeUnit.SECONDS);
            assertEquals("echo " + leader.localId() + ":ping", new String(answer, StandardCharsets.UTF_8));
            QuorumCluster.await("followers' progress known on the leader over gRPC", Duration.ofSeconds(10), () ->
                    leader.status().voters().stream().allMatch(v -> v.lag() == 0 && v.lastFetchTimestamp() > 0));
        }
    }

    @Test
    void anObserverAddedAtRunTimeFollowsOverTls() throws Exception {
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b.tls(trusted))) {
            c.startAll(1, 2, 3);
            c.appendAll("a", 10);
            String address5 = "127.0.0.1:" + QuorumCluster.freePort();
            QuorumConfig cfg5 = c.config(3).toBuilder().localId(5).observer(5, address5).storageDir(dir.resolve("node-5")).build();
            assertTrue(cfg5.tls().isPresent());
            ListStateMachine sm5 = new ListStateMachine();
            try (RaftQuorum five = RaftQuorum.start(cfg5, sm5, r -> null)) {
                c.member(2).addObserver(5, address5); // the configuration change travels the client and admin paths over TLS
                QuorumCluster.await("observer 5 caught up over TLS", QuorumCluster.WAIT, () -> sm5.size() == 10);
                c.appendAll("b", 5);
                QuorumCluster.await("observer 5 follows new entries", QuorumCluster.WAIT, () -> sm5.size() == 15);
                assertEquals(c.sm(c.awaitLeader().localId()).entries(), sm5.entries());
                assertEquals(QuorumRole.OBSERVER, five.status().role());
            }
        }
    }

    @Test
    void aMemberWithAnUntrustedCertificateNeverGetsAnEntry() throws Exception {
        List<java.util.logging.LogRecord> logged = assertOutsiderShutOut(b -> b.tls(stranger));
        List<String> refusals = logged.stream().map(java.util.logging.LogRecord::getMessage).filter(m -> m.startsWith("TRIB-0119"))
                .toList();
        assertFalse(refusals.isEmpty(), "the members say once that they refused the outsider's certificate");
        assertTrue(refusals.get(0).contains("CN=mallory,O=Elsewhere"), refusals.get(0));
        assertTrue(refusals.size() <= 8, "at most once a minute per member, side and subject: " + refusals);
    }

    @Test
    void aPlaintextMemberCannotTalkToATlsQuorum() throws Exception {
        assertOutsiderShutOut(b -> b.tls(null));
    }

    /** Returns what the quorum's and Ratis's loggers wrote from the outsider's start on. */
    private List<java.util.logging.LogRecord> assertOutsiderShutOut(UnaryOperator<QuorumConfig.Builder> outsider) throws Exception {
        List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        java.util.logging.Handler counter = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (isLoggable(r) && r.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                    records.add(r);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        java.util.logging.Logger ratis = java.util.logging.Logger.getLogger("org.apache.ratis");
        java.util.logging.Logger quorum = java.util.logging.Logger.getLogger("org.tributary.quorum");
        ratis.addHandler(counter);
        quorum.addHandler(counter);
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b.tls(trusted))) {
            c.start(3, outsider);
            c.startAll(1, 2);
            RaftQuorum leader = c.awaitLeader();
            assertNotEquals(3, leader.localId());
            long epoch = leader.epoch();
            c.appendAll("members-only", 20);
            for (int id = 1; id <= 2; id++) {
                int member = id;
                QuorumCluster.await("member " + id + " applied 20", QuorumCluster.WAIT, () -> c.sm(member).size() >= 20);
            }
            // ten election timeouts of leader heartbeats and appends towards the outsider: it gets nothing, disturbs nothing
            long until = System.nanoTime() + 10 * c.member(3).config().electionTimeoutMax().toNanos();
            int round = 0;
            while (System.nanoTime() < until) {
                leader.appendAsLeader(epoch, ("more-" + round++).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
                assertEquals(0, c.sm(3).size(), "the outsider applied " + c.sm(3).entries());
                Thread.sleep(20);
            }
            StringBuilder seen = new StringBuilder();
            records.forEach(r -> seen.append('\n').append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ")
                    .append(r.getMessage()));
            System.out.printf("outsider log noise: %d warnings while the outsider ran (%d appends):%s%n", records.size(), round, seen);
            assertTrue(records.size() <= 20, "a few lines, not a stack trace per retry: " + seen);
            assertEquals(0, c.sm(3).size());
            assertFalse(c.member(3).isLeader());
            assertTrue(leader.isLeader(), "the members keep their leader");
            assertEquals(epoch, leader.epoch(), "no election was forced by the outsider");
            QuorumStatus s = leader.status();
            QuorumStatus.ReplicaState three = s.voters().stream().filter(v -> v.id() == 3).findFirst().orElseThrow();
            assertTrue(three.logEndOffset() <= 0, "the leader never got an append acknowledged by the outsider: " + three);
        } finally {
            ratis.removeHandler(counter);
            quorum.removeHandler(counter);
        }
        return records;
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void entriesCrossTheWireOnlyEncryptedUnderTls(boolean tls) throws Exception {
        Map<Integer, Integer> bind = new HashMap<>();
        List<RecordingProxy> proxies = new ArrayList<>();
        byte[] payload = "topic-with-a-secret-name-0451".getBytes(StandardCharsets.UTF_8);
        try (QuorumCluster c = new QuorumCluster(dir, 3, 0, b -> b.tls(tls ? trusted : null))) {
            try {
                // every member is reached only through a recording proxy in front of its real port
                for (int id = 1; id <= 3; id++) {
                    String advertised = c.config(id).localAddress();
                    int real = QuorumCluster.freePort();
                    bind.put(id, real);
                    proxies.add(new RecordingProxy(Integer.parseInt(advertised.substring(advertised.lastIndexOf(':') + 1)), real));
                }
                for (int id = 1; id <= 3; id++) {
                    int real = bind.get(id);
                    c.start(id, b -> b.bindAddress("127.0.0.1:" + real));
                }
                RaftQuorum leader = c.awaitLeader();
                leader.appendAsLeader(leader.epoch(), payload).get(10, TimeUnit.SECONDS);
                c.appendAll("filler", 5);
                c.awaitAllApplied(6);
                assertTrue(proxies.stream().mapToInt(p -> p.seen().length).sum() > 1000, "the voters talked through the proxies");
                boolean inClear = proxies.stream().anyMatch(p -> p.saw(payload));
                assertEquals(!tls, inClear, tls ? "the entry crossed the wire in clear under TLS"
                        : "the check must see the entry in clear over plaintext, or it proves nothing");
            } finally {
                c.close();
                for (RecordingProxy p : proxies) {
                    p.close();
                }
            }
        }
    }

    /** Prints what TLS costs: 1,000 entries committed pipelined, and one-at-a-time commit latency. */
    @Test
    void commitCostPlaintextVersusTls() throws Exception {
        for (boolean tls : new boolean[] {false, true}) {
            try (QuorumCluster c = new QuorumCluster(dir.resolve(tls ? "tls" : "plain"), 3, 0, b -> b.tls(tls ? trusted : null))) {
                c.startAll(1, 2, 3);
                RaftQuorum leader = c.awaitLeader();
                c.appendAll("warm-up", 50);
                long epoch = leader.epoch();
                long t0 = System.nanoTime();
                List<CompletableFuture<Long>> futures = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    futures.add(leader.appendAsLeader(epoch, ("record-" + i).getBytes(StandardCharsets.UTF_8)));
                }
                for (CompletableFuture<Long> f : futures) {
                    f.get(30, TimeUnit.SECONDS);
                }
                double pipelinedMs = (System.nanoTime() - t0) / 1e6;
                t0 = System.nanoTime();
                for (int i = 0; i < 100; i++) {
                    leader.appendAsLeader(epoch, ("one-" + i).getBytes(StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);
                }
                double oneMs = (System.nanoTime() - t0) / 1e6 / 100;
                c.awaitAllApplied(1150);
                System.out.printf("quorum %s: 1000 entries committed pipelined in %.0f ms; one at a time %.2f ms each%n",
                        tls ? "mutual TLS (gRPC)" : "plaintext (Netty)", pipelinedMs, oneMs);
            }
        }
    }

}
