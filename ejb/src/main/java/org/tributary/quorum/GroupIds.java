package org.tributary.quorum;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;

/** Names derived deterministically, so members agree without talking: group id and peer ids. Stateless. */
final class GroupIds {
    private GroupIds() {
    }

    /** The Raft group of a cluster's metadata log: a name-based UUID of the cluster id. */
    static RaftGroupId metadataGroup(String clusterId) {
        return RaftGroupId.valueOf(UUID.nameUUIDFromBytes(("tributary/cluster-metadata/" + clusterId)
                .getBytes(StandardCharsets.UTF_8)));
    }

    static RaftPeerId peerId(int nodeId) {
        return RaftPeerId.valueOf(Integer.toString(nodeId));
    }

    /** The node id of a peer id made by {@link #peerId}, -1 for null or a foreign id. */
    static int nodeId(RaftPeerId peer) {
        if (peer == null) {
            return -1;
        }
        try {
            return Integer.parseInt(peer.toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
