package org.tributary.ee;

import java.util.List;

/** A consumer group: state, members with their assignments, lag per partition and in total. */
public record GroupInfo(String groupId, String state, String protocolType, String protocol, int generationId,
        List<MemberInfo> members, List<LagInfo> lag, long totalLag) {

    /** A member and the partitions assigned to it ("topic-partition"). */
    public record MemberInfo(String memberId, String groupInstanceId, String clientId, String host, List<String> assignments) {
    }

    /** Lag on one partition: log end offset minus committed offset (-1 when unknown). */
    public record LagInfo(String topic, int partition, long committedOffset, long logEndOffset, long lag) {
    }
}
