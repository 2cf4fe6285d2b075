package org.tributary.group;

import java.util.List;

/**
 * A read-only view of a group (DescribeGroups, the admin API): state, protocol type and, when
 * stable, the chosen assignor; members with their metadata and assignment (those are only filled
 * when the group is stable, as Kafka does).
 */
public record GroupDescription(String groupId, GroupState state, String protocolType, String protocolName,
        int generationId, String leaderId, List<MemberDescription> members) {

    public record MemberDescription(String memberId, String groupInstanceId, String clientId, String clientHost,
            byte[] metadata, byte[] assignment) {
    }
}
