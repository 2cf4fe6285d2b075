package org.tributary.controller;

import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.quorum.QuorumStatus;

/**
 * Kafka's DescribeQuorum answer from the quorum's own state, as the active controller sees it:
 * the leader, the epoch (Raft term), the high watermark (commit index), each voter's and
 * observer's log end offset with its last fetch and last caught-up times, and the voters'
 * endpoints (listener {@value #LISTENER}) and every member's directory id ({@code directory.id} in
 * its {@code meta.properties}; the zero id when unknown), which {@code remove-controller} names. This is what {@code kafka-metadata-quorum describe
 * --status} and {@code --replication} print. Stateless.
 */
final class QuorumDescription {
    static final String TOPIC = "__cluster_metadata";
    static final String LISTENER = "CONTROLLER";

    private QuorumDescription() {
    }

    static DescribeQuorumResponseData of(QuorumStatus st, Map<Integer, String> voterAddresses,
            java.util.function.IntFunction<Uuid> directoryIds) {
        DescribeQuorumResponseData.PartitionData p = new DescribeQuorumResponseData.PartitionData().setPartitionIndex(0)
                .setErrorCode(Errors.NONE.code()).setLeaderId(st.leaderId()).setLeaderEpoch((int) st.epoch())
                .setHighWatermark(st.highWatermark());
        st.voters().forEach(r -> p.currentVoters().add(replica(r, directoryIds)));
        st.observers().forEach(r -> p.observers().add(replica(r, directoryIds)));
        DescribeQuorumResponseData out = new DescribeQuorumResponseData().setErrorCode(Errors.NONE.code());
        out.topics().add(new DescribeQuorumResponseData.TopicData().setTopicName(TOPIC).setPartitions(java.util.List.of(p)));
        voterAddresses.forEach((id, address) -> {
            int colon = address.lastIndexOf(':');
            DescribeQuorumResponseData.Node node = new DescribeQuorumResponseData.Node().setNodeId(id);
            node.listeners().add(new DescribeQuorumResponseData.Listener().setName(LISTENER).setHost(address.substring(0, colon))
                    .setPort(Integer.parseInt(address.substring(colon + 1))));
            out.nodes().add(node);
        });
        return out;
    }

    private static DescribeQuorumResponseData.ReplicaState replica(QuorumStatus.ReplicaState r,
            java.util.function.IntFunction<Uuid> directoryIds) {
        return new DescribeQuorumResponseData.ReplicaState().setReplicaId(r.id()).setReplicaDirectoryId(directoryIds.apply(r.id()))
                .setLogEndOffset(r.logEndOffset()).setLastFetchTimestamp(r.lastFetchTimestamp())
                .setLastCaughtUpTimestamp(r.lastCaughtUpTimestamp());
    }
}
