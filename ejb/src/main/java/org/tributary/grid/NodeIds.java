package org.tributary.grid;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;

/**
 * Node ids for nodes started without {@code node.id}: the lowest id from {@value #FIRST_AUTO_ID} up
 * that no other data directory has claimed in the grid ({@code putIfAbsent} of id to directory
 * id). The id is then kept in the node's {@code meta.properties}, and every node that has one
 * claims it again at start, so ids stay taken while the grid lives.
 *
 * <p>Weaker than a quorum decision: the grid forgets claims after a full stop (an id of a node
 * that stays down could then be claimed again by a brand-new node), and two nodes started on the
 * two sides of a split grid could pick the same id; the controller then refuses the second live
 * registration of that id. Kafka in KRaft mode avoids both by requiring {@code node.id}; set it
 * where that matters.
 */
public final class NodeIds {
    public static final int FIRST_AUTO_ID = 1001;
    static final String MAP = "tributary.node-ids";

    private NodeIds() {
    }

    /** Claims an id for the data directory {@code directoryId} in cluster {@code clusterId}. */
    public static int claim(HazelcastInstance hz, String clusterId, String directoryId) {
        IMap<Integer, String> claims = hz.getMap(MAP + "." + clusterId);
        for (int id = FIRST_AUTO_ID; ; id++) {
            String prior = claims.putIfAbsent(id, directoryId);
            if (prior == null || prior.equals(directoryId)) {
                return id;
            }
        }
    }

    /** Records that {@code id} belongs to {@code directoryId} (a node that already has its id). */
    public static void reclaim(HazelcastInstance hz, String clusterId, int id, String directoryId) {
        IMap<Integer, String> claims = hz.getMap(MAP + "." + clusterId);
        claims.putIfAbsent(id, directoryId);
    }
}
