package org.tributary.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AddRaftVoterRequestData;
import org.apache.kafka.common.message.AddRaftVoterResponseData;
import org.apache.kafka.common.message.RemoveRaftVoterRequestData;
import org.apache.kafka.common.message.RemoveRaftVoterResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.quorum.QuorumConfig;
import org.tributary.quorum.RaftQuorum;
import org.tributary.quorum.ReplicatedStateMachine;
import org.tributary.testing.FreePorts;

/** AddRaftVoter and RemoveRaftVoter against a real two-member quorum: each refusal with Kafka's code, and the changes. */
class QuorumVoterChangesTest {
    private static final String CLUSTER = "voters-test";
    @TempDir
    Path dir;

    /** A state machine that keeps nothing: these tests are about the quorum's configuration. */
    private static ReplicatedStateMachine empty() {
        return new ReplicatedStateMachine() {
            private long applied = -1;

            @Override
            public void apply(long offset, long epoch, byte[] entry) {
                applied = offset;
            }

            @Override
            public void writeSnapshot(java.io.OutputStream out) {
            }

            @Override
            public void loadSnapshot(java.io.InputStream in, long offset, long epoch) {
                applied = offset;
            }

            @Override
            public long lastAppliedOffset() {
                return applied;
            }
        };
    }

    private static AddRaftVoterRequestData add(int id, Uuid dir, String host, int port) {
        AddRaftVoterRequestData r = new AddRaftVoterRequestData().setClusterId(CLUSTER).setTimeoutMs(10_000).setVoterId(id)
                .setVoterDirectoryId(dir);
        r.listeners().add(new AddRaftVoterRequestData.Listener().setName("CONTROLLER").setHost(host).setPort(port));
        return r;
    }

    private static short code(Object response) {
        return response instanceof AddRaftVoterResponseData a ? a.errorCode() : ((RemoveRaftVoterResponseData) response).errorCode();
    }

    @Test
    void refusalsCarryKafkasCodesAndChangesAreMadeAndCommitted() throws Exception {
        int p1 = FreePorts.next();
        int p2 = FreePorts.next();
        Uuid dir1 = Uuid.randomUuid();
        Uuid dir2 = Uuid.randomUuid();
        QuorumConfig.Builder base = QuorumConfig.builder().clusterId(CLUSTER).voter(1, "127.0.0.1:" + p1)
                .requestTimeout(Duration.ofSeconds(5));
        try (RaftQuorum one = RaftQuorum.start(base.localId(1).storageDir(dir.resolve("1")).build(), empty(), r -> null);
                RaftQuorum two = RaftQuorum.start(base.localId(2).observer(2, "127.0.0.1:" + p2).storageDir(dir.resolve("2")).build(),
                        empty(), r -> null)) {
            assertEquals(1, one.awaitLeader(Duration.ofSeconds(20)));
            two.addObserver(2, "127.0.0.1:" + p2);
            Map<Integer, Uuid> dirs = Map.of(1, dir1, 2, dir2);
            QuorumVoterChanges changes = new QuorumVoterChanges(one, CLUSTER, false, id -> Optional.ofNullable(dirs.get(id)));

            assertEquals(Errors.INCONSISTENT_CLUSTER_ID.code(), code(changes.apply(add(2, dir2, "127.0.0.1", p2).setClusterId("other"))));
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), code(new QuorumVoterChanges(one, CLUSTER, true, id -> Optional.empty())
                    .apply(add(2, dir2, "127.0.0.1", p2))));
            AddRaftVoterResponseData wrongDir = (AddRaftVoterResponseData) changes.apply(add(2, Uuid.randomUuid(), "127.0.0.1", p2));
            assertEquals(Errors.INVALID_REQUEST.code(), wrongDir.errorCode());
            assertTrue(wrongDir.errorMessage().contains(dir2.toString()), wrongDir.errorMessage());
            AddRaftVoterResponseData wrongPort = (AddRaftVoterResponseData) changes.apply(add(2, dir2, "127.0.0.1", p2 + 1));
            assertEquals(Errors.INVALID_REQUEST.code(), wrongPort.errorCode());
            assertTrue(wrongPort.errorMessage().contains("127.0.0.1:" + p2), wrongPort.errorMessage());
            assertEquals(Errors.INVALID_REQUEST.code(), code(changes.apply(add(7, Uuid.randomUuid(), "127.0.0.1", 1)))); // no such observer
            assertEquals(Set.of(1), one.voters().keySet(), "nothing refused changed the voters");

            assertEquals(Errors.NONE.code(), code(changes.apply(add(2, dir2, "localhost", p2)))); // the tool may say localhost
            assertEquals(Set.of(1, 2), one.voters().keySet());
            assertEquals(Errors.DUPLICATE_VOTER.code(), code(changes.apply(add(2, dir2, "127.0.0.1", p2))));

            assertEquals(Errors.VOTER_NOT_FOUND.code(), code(changes.apply(new RemoveRaftVoterRequestData().setClusterId(CLUSTER)
                    .setVoterId(1).setVoterDirectoryId(Uuid.randomUuid()))));
            assertEquals(Errors.VOTER_NOT_FOUND.code(), code(changes.apply(new RemoveRaftVoterRequestData().setClusterId(CLUSTER)
                    .setVoterId(9).setVoterDirectoryId(Uuid.randomUuid()))));
            // the leader removes itself: it hands leadership to 2 first
            assertEquals(Errors.NONE.code(), code(changes.apply(new RemoveRaftVoterRequestData().setClusterId(CLUSTER)
                    .setVoterId(1).setVoterDirectoryId(dir1))));
            assertEquals(Set.of(2), two.voters().keySet());
            assertEquals(2, two.awaitLeader(Duration.ofSeconds(20)));
            RemoveRaftVoterResponseData last = (RemoveRaftVoterResponseData) new QuorumVoterChanges(two, CLUSTER, false,
                    id -> Optional.ofNullable(dirs.get(id))).apply(new RemoveRaftVoterRequestData().setClusterId(CLUSTER)
                    .setVoterId(2).setVoterDirectoryId(dir2));
            assertEquals(Errors.INVALID_REQUEST.code(), last.errorCode());
            assertTrue(last.errorMessage().contains("only voter"), last.errorMessage());
        }
    }
}
