package org.tributary.group;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/** The answer to a JoinGroup; {@code members} is filled for the leader only. */
public record JoinResult(Errors error, String memberId, int generationId, String protocolType, String protocolName,
        String leaderId, boolean skipAssignment, List<MemberMetadata> members) {

    /** A member as the leader's assignor sees it. */
    public record MemberMetadata(String memberId, String groupInstanceId, byte[] metadata) {
    }

    static JoinResult error(Errors error, String memberId) {
        return new JoinResult(error, memberId, -1, null, null, "", false, List.of());
    }
}
