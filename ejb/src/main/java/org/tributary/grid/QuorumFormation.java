package org.tributary.grid;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.tributary.config.ConfigException;
import org.tributary.config.QuorumSettings;
import org.tributary.config.QuorumSettings.HostPort;

/**
 * Decides which nodes are the voters of the metadata quorum, with no voter list written by hand:
 * <ol>
 *   <li>explicit {@code controller.quorum.voters}: those;</li>
 *   <li>else the voter set this data directory joined before ({@code quorum-voters}), so restarts
 *       (also of the whole cluster, when the grid remembers nothing) never depend on the grid;</li>
 *   <li>else formation through the grid: each node offers itself as a candidate (map
 *       {@value #CANDIDATES}, alive while its grid member is); the first node that sees
 *       {@code voter.count} live candidates proposes the lowest ids with {@code putIfAbsent} under
 *       {@value #VOTERS_KEY}, and every node adopts whatever that key holds.</li>
 * </ol>
 * The result is written to the data directory before it is used. A node that is not in the set
 * follows the quorum as an observer. A data directory that joined one quorum refuses a grid or a
 * setting that names another (one clear line): voters change only through reconfiguration
 * ({@code kafka-metadata-quorum add-controller/remove-controller}), after which every running
 * member keeps and publishes the new set ({@link #votersChanged}); a node that was down meanwhile
 * adopts the published set at its next start.
 *
 * <p>Grid splits: formation happens once, before any metadata exists; a split during the very first
 * start of a cluster could form two quorums, which the operator sees as two cluster ids. After
 * formation the grid only carries the set for new nodes to read; it never changes a formed set.
 */
public final class QuorumFormation {
    static final String MAP = "tributary.quorum";
    static final String VOTERS_KEY = "voters";
    static final String CANDIDATES = "tributary.quorum.candidates";
    static final String DIRECTORIES = "tributary.quorum.directories";
    private static final Logger LOG = Logger.getLogger(QuorumFormation.class.getName());
    private static final long POLL_MS = 100;
    private static final long PROGRESS_MS = 10_000;

    private QuorumFormation() {
    }

    /**
     * The voter set for node {@code nodeId} in cluster {@code clusterId}; waits (logging progress
     * every 10 s) while a forming cluster has fewer candidates than voters, until {@code deadlineMs}
     * on {@code clock}.
     */
    public static VoterSet resolve(HazelcastInstance hz, String clusterId, int nodeId, QuorumSettings settings, Path dataDir,
            LongSupplier clock, long deadlineMs) throws IOException, InterruptedException {
        IMap<String, String> quorum = hz.getMap(MAP + "." + clusterId);
        Optional<VoterSet> joined = VoterSet.read(dataDir);
        VoterSet result;
        if (settings.explicit()) {
            result = new VoterSet(settings.explicitVoters());
            if (joined.isPresent() && !joined.get().equals(result)) {
                throw new ConfigException(QuorumSettings.VOTERS, result.format(), "this data directory belongs to the quorum "
                        + joined.get() + "; voters change only through reconfiguration, not by editing the setting");
            }
        } else if (joined.isPresent()) {
            result = joined.get();
        } else {
            result = form(hz, quorum, clusterId, nodeId, settings, clock, deadlineMs);
        }
        String published = quorum.putIfAbsent(VOTERS_KEY, result.format());
        if (published != null && !VoterSet.parse(published).equals(result)) {
            VoterSet running = VoterSet.parse(published);
            boolean overlap = running.voters().keySet().stream().anyMatch(result::contains);
            if (joined.isEmpty() || settings.explicit() || !overlap) {
                throw new ConfigException(QuorumSettings.VOTERS, result.format(), "the running cluster " + clusterId
                        + " has the quorum " + published + "; start this node with an empty data directory to join it as an"
                        + " observer, or give it its own cluster");
            }
            // this data directory was in the quorum, whose voters changed while the node was down
            // (add-controller, remove-controller, one voter at a time: the sets share voters; two
            // sets with none in common are two quorums): the running members publish every change
            VoterSet before = result;
            result = VoterSet.parse(published);
            VoterSet now = result;
            LOG.info(() -> "TRIB-0022 The metadata quorum's voters changed while this node was down: " + before + " -> " + now);
            result.write(dataDir);
        }
        if (joined.isEmpty()) {
            result.write(dataDir);
        }
        return result;
    }

    /**
     * A running member applied a configuration with these voters: it keeps them where a restart
     * finds them first ({@code quorum-voters} in its data directory) and, when {@code publish}
     * (the leader, whose configuration is the committed one: a member replaying its own log at start
     * passes through older sets), publishes them for nodes that start later. The same set written
     * twice changes nothing.
     */
    public static void votersChanged(HazelcastInstance hz, String clusterId, Path dataDir, VoterSet voters, boolean publish)
            throws IOException {
        Optional<VoterSet> kept = VoterSet.read(dataDir);
        if (kept.isEmpty() || !kept.get().equals(voters)) {
            voters.write(dataDir);
            LOG.info(() -> "TRIB-0023 Metadata quorum voters now " + voters + (kept.isPresent() ? " (were " + kept.get() + ")" : ""));
        }
        if (!publish) {
            return;
        }
        IMap<String, String> quorum = hz.getMap(MAP + "." + clusterId);
        String published = quorum.get(VOTERS_KEY);
        if (published == null || !VoterSet.parse(published).equals(voters)) {
            quorum.put(VOTERS_KEY, voters.format());
        }
    }

    /** Announces this node's data directory id ({@code directory.id}), which voter changes name. */
    public static void announceDirectory(HazelcastInstance hz, String clusterId, int nodeId, String directoryId) {
        hz.<Integer, String>getMap(DIRECTORIES + "." + clusterId).put(nodeId, directoryId);
    }

    /** The directory id node {@code nodeId} announced, if any. */
    public static Optional<String> directoryOf(HazelcastInstance hz, String clusterId, int nodeId) {
        return Optional.ofNullable(hz.<Integer, String>getMap(DIRECTORIES + "." + clusterId).get(nodeId));
    }

    private static VoterSet form(HazelcastInstance hz, IMap<String, String> quorum, String clusterId, int nodeId,
            QuorumSettings settings, LongSupplier clock, long deadlineMs) throws InterruptedException {
        IMap<Integer, String> candidates = hz.getMap(CANDIDATES + "." + clusterId);
        UUID me = hz.getCluster().getLocalMember().getUuid();
        candidates.put(nodeId, settings.self() + "|" + me);
        long nextProgress = clock.getAsLong() + PROGRESS_MS;
        while (true) {
            String agreed = quorum.get(VOTERS_KEY);
            if (agreed != null) {
                return VoterSet.parse(agreed);
            }
            List<VoterSet.Candidate> live = liveCandidates(hz, candidates);
            Optional<VoterSet> proposal = VoterSet.choose(settings.voterCount(), live);
            if (proposal.isPresent()) {
                String prior = quorum.putIfAbsent(VOTERS_KEY, proposal.get().format());
                VoterSet formed = prior == null ? proposal.get() : VoterSet.parse(prior);
                LOG.info(() -> "TRIB-0020 Metadata quorum formed: voters " + formed);
                return formed;
            }
            long now = clock.getAsLong();
            if (now >= deadlineMs) {
                throw new ConfigException(QuorumSettings.VOTER_COUNT, settings.voterCount(), "only " + live.size()
                        + " node(s) showed up in the data grid to form the metadata quorum; start the other nodes,"
                        + " or lower " + QuorumSettings.VOTER_COUNT);
            }
            if (now >= nextProgress) {
                LOG.info(() -> "TRIB-0021 Waiting for " + (settings.voterCount() - live.size()) + " more node(s) to form the metadata"
                        + " quorum of " + settings.voterCount() + " (present: " + live.stream().map(c -> c.nodeId())
                        .map(String::valueOf).collect(Collectors.joining(",")) + ")");
                nextProgress = now + PROGRESS_MS;
            }
            Thread.sleep(POLL_MS);
        }
    }

    private static List<VoterSet.Candidate> liveCandidates(HazelcastInstance hz, IMap<Integer, String> candidates) {
        Set<UUID> live = hz.getCluster().getMembers().stream().map(Member::getUuid).collect(Collectors.toSet());
        List<VoterSet.Candidate> out = new ArrayList<>();
        for (Map.Entry<Integer, String> e : candidates.entrySet()) {
            String[] parts = e.getValue().split("\\|");
            if (parts.length == 2 && live.contains(UUID.fromString(parts[1]))) {
                String addr = parts[0];
                int colon = addr.lastIndexOf(':');
                out.add(new VoterSet.Candidate(e.getKey(), new HostPort(addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1)))));
            }
        }
        return out;
    }
}
