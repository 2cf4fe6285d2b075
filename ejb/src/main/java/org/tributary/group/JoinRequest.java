package org.tributary.group;

import java.util.List;

/**
 * A JoinGroup request as the coordinator sees it. {@code requireKnownMemberId} is true from
 * JoinGroup v4 (KIP-394: a new dynamic member first gets MEMBER_ID_REQUIRED with its id);
 * {@code supportsSkipAssignment} from v9 (KIP-814).
 */
public record JoinRequest(String groupId, String memberId, String groupInstanceId, String clientId, String clientHost,
        int sessionTimeoutMs, int rebalanceTimeoutMs, String protocolType, List<ProtocolMetadata> protocols,
        boolean requireKnownMemberId, boolean supportsSkipAssignment) {

    /** An assignor name with the member's subscription metadata for it. */
    public record ProtocolMetadata(String name, byte[] metadata) {
    }
}
