package org.tributary.grid;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.IntConsumer;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.tributary.config.ConfigException;
import org.tributary.config.NodeSettings;

/**
 * This node in Payara's data grid: which grid member runs which node id (map
 * {@value #MEMBERS}.<cluster>), the cluster id agreed by the first node, and failure hints. When a
 * grid member leaves, the ids it ran are reported to {@code nodeLeft}; the active controller fences
 * those brokers at once instead of waiting for their heartbeat sessions to expire. The grid is only
 * ever a hint: heartbeats to the controller stay the rule, and nothing here changes committed
 * metadata (a grid split or merge cannot).
 *
 * <p>Thread-safe.
 */
public final class GridMembers implements AutoCloseable {
    static final String MEMBERS = "tributary.members";
    static final String CLUSTER = "tributary.cluster";
    static final String CLUSTER_ID_KEY = "cluster.id";
    private static final Logger LOG = Logger.getLogger(GridMembers.class.getName());

    private final HazelcastInstance hz;
    private final IMap<Integer, String> members;
    private final int nodeId;
    private final UUID membershipRegistration;
    private final UUID lifecycleRegistration;
    private final UUID entryRegistration;
    /** This node's copy of the member map: node id to the grid member running it, as last heard. */
    private final Map<Integer, String> known = new java.util.concurrent.ConcurrentHashMap<>();

    private GridMembers(HazelcastInstance hz, String clusterId, int nodeId, IntConsumer nodeLeft, IntConsumer nodeBack) {
        this.hz = hz;
        this.members = hz.getMap(MEMBERS + "." + clusterId);
        this.nodeId = nodeId;
        // a node registering (again, after a merge, under its new member identity) is back
        this.entryRegistration = members.addEntryListener(new Registered(this, nodeBack), true);
        try {
            members.forEach((node, member) -> known.put(node, member));
        } catch (RuntimeException e) {
            LOG.fine(() -> "could not read the member map at start: " + e);
        }
        this.membershipRegistration = hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
                LOG.info(() -> "TRIB-0011 Data-grid member joined: " + e.getMember().getAddress() + "; members now " + e.getMembers().size());
                nodesOf(e.getMember().getUuid().toString()).forEach(nodeBack::accept);
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
                LOG.info(() -> "TRIB-0012 Data-grid member left: " + e.getMember().getAddress() + "; members now " + e.getMembers().size());
                nodesOf(e.getMember().getUuid().toString()).forEach(nodeLeft::accept);
            }
        });
        // after a split-brain merge this member has a new identity: register again under it
        this.lifecycleRegistration = hz.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
                try {
                    members.put(nodeId, hz.getCluster().getLocalMember().getUuid().toString());
                    LOG.info(() -> "TRIB-0013 Node " + nodeId + " registered again after rejoining the data grid");
                } catch (RuntimeException ex) {
                    LOG.warning(() -> "TRIB-0014 Node " + nodeId + " could not register again after rejoining the data grid: " + ex);
                }
            }
        });
    }

    /**
     * The other nodes that grid member {@code member} runs: from this node's own copy of the member
     * map, and from the map itself when it answers. The copy matters on the side of a split that
     * lost the map's entries with the members that left: there the map no longer names them.
     */
    private Set<Integer> nodesOf(String member) {
        Set<Integer> out = new java.util.TreeSet<>();
        known.forEach((node, m) -> {
            if (m.equals(member)) {
                out.add(node);
            }
        });
        try {
            for (Map.Entry<Integer, String> m : members.entrySet()) {
                if (m.getValue().equals(member)) {
                    out.add(m.getKey());
                }
            }
        } catch (RuntimeException ex) {
            LOG.fine(() -> "could not read the member map: " + ex);
        }
        out.remove(nodeId);
        return out;
    }

    /**
     * Whether this node's grid view holds node {@code node}'s member now (this node itself: always),
     * as the member map last named that member.
     */
    public boolean present(int node) {
        if (node == nodeId) {
            return true;
        }
        String member = known.get(node);
        if (member == null) {
            return false;
        }
        try {
            for (Member m : hz.getCluster().getMembers()) {
                if (m.getUuid().toString().equals(member)) {
                    return true;
                }
            }
        } catch (RuntimeException e) {
            LOG.fine(() -> "could not read the grid's members: " + e);
        }
        return false;
    }

    /** Hears a node register (again) in the member map: another node's entry added or updated means it is back. */
    private record Registered(GridMembers grid, IntConsumer nodeBack)
            implements EntryAddedListener<Integer, String>, EntryUpdatedListener<Integer, String> {
        @Override
        public void entryAdded(EntryEvent<Integer, String> e) {
            heard(e.getKey(), e.getValue());
        }

        @Override
        public void entryUpdated(EntryEvent<Integer, String> e) {
            heard(e.getKey(), e.getValue());
        }

        private void heard(int node, String member) {
            if (member != null) {
                grid.known.put(node, member);
            }
            if (node != grid.nodeId) {
                nodeBack.accept(node);
            }
        }
    }

    /**
     * Agrees on the cluster id: the first node's (from its meta.properties, or new) wins. A data
     * directory that belongs to another cluster than the running one is refused.
     */
    public static String agreeClusterId(HazelcastInstance hz, String proposed) {
        IMap<String, String> cluster = hz.getMap(CLUSTER);
        String candidate = proposed != null ? proposed : Uuid.randomUuid().toString();
        String existing = cluster.putIfAbsent(CLUSTER_ID_KEY, candidate);
        String agreed = existing == null ? candidate : existing;
        if (proposed != null && !proposed.equals(agreed)) {
            throw new ConfigException(NodeSettings.LOG_DIRS, "this data directory belongs to cluster " + proposed
                    + " but the running cluster is " + agreed + "; start this node with an empty data directory or join it to its own cluster");
        }
        return agreed;
    }

    /**
     * Registers this grid member as node {@code nodeId}; another live member already running that
     * id is a configuration error. {@code nodeLeft} hears of nodes whose member leaves the grid,
     * {@code nodeBack} of other nodes whose member joins it or registers (again): after a split
     * heals and after a merge, each node left is heard of as back.
     */
    public static GridMembers join(HazelcastInstance hz, String clusterId, int nodeId, IntConsumer nodeLeft, IntConsumer nodeBack) {
        IMap<Integer, String> members = hz.getMap(MEMBERS + "." + clusterId);
        String me = hz.getCluster().getLocalMember().getUuid().toString();
        Set<String> live = hz.getCluster().getMembers().stream().map(Member::getUuid).map(UUID::toString).collect(Collectors.toSet());
        members.lock(nodeId);
        try {
            String other = members.get(nodeId);
            if (other != null && !other.equals(me) && live.contains(other)) {
                throw new ConfigException(NodeSettings.NODE_ID, nodeId, "is already used by a live broker of this cluster (data-grid member "
                        + other + "); give every node its own id and data directory");
            }
            members.put(nodeId, me);
        } finally {
            members.unlock(nodeId);
        }
        LOG.info(() -> "TRIB-0010 Data grid '" + hz.getConfig().getClusterName() + "': " + hz.getCluster().getMembers().size()
                + " member(s); node " + nodeId + " joined cluster " + clusterId);
        return new GridMembers(hz, clusterId, nodeId, nodeLeft, nodeBack);
    }

    /** Stops listening to the grid; the entry stays (a stopped node's member is gone, which is what counts). */
    @Override
    public void close() {
        try {
            hz.getCluster().removeMembershipListener(membershipRegistration);
            hz.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
            members.removeEntryListener(entryRegistration);
        } catch (RuntimeException e) {
            LOG.fine(() -> "Could not remove the grid listeners of node " + nodeId + ": " + e);
        }
    }
}
