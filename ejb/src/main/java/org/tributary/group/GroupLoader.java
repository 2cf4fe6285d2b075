package org.tributary.group;

import java.io.IOException;
import java.util.List;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;

/**
 * Replays the {@code __consumer_offsets} partitions this broker leads into the coordinator's
 * memory: the latest offset per key (tombstones remove), the latest metadata per group. Groups
 * with stored members come back Stable with their generation and assignments, and each member
 * gets a fresh session timeout, so static members that restart rejoin without a rebalance.
 */
final class GroupLoader {
    private static final Logger LOG = Logger.getLogger(GroupLoader.class.getName());

    private GroupLoader() {
    }

    static void load(GroupCoordinator c) throws IOException {
        long now = c.time.milliseconds();
        int offsets = 0;
        for (int partition : c.log.localPartitions()) {
            c.log.replay(partition, (key, value) -> apply(c, key, value, now));
        }
        for (ClassicGroup g : List.copyOf(c.groups.values())) {
            offsets += g.offsets.size();
            if (g.isEmpty()) {
                g.transitionTo(GroupState.EMPTY, g.stateTimestamp);
                g.leaderId = null;
                if (g.offsets.isEmpty() && g.generationId == 0) {
                    c.groups.remove(g.groupId);
                }
            } else {
                g.state = GroupState.STABLE;
                for (Member m : g.members.values()) {
                    m.heartbeatDeadline = now + m.sessionTimeoutMs;
                }
            }
        }
        if (!c.groups.isEmpty()) {
            LOG.info("TRIB-GRP-005 loaded " + c.groups.size() + " group(s) with " + offsets + " committed offset(s)");
        }
    }

    private static void apply(GroupCoordinator c, byte[] key, byte[] value, long now) {
        if (key == null) {
            return;
        }
        OffsetsTopicRecords.Key k;
        try {
            k = OffsetsTopicRecords.readKey(key);
        } catch (RuntimeException e) {
            LOG.warning("TRIB-GRP-006 skipping an unreadable record in __consumer_offsets: " + e.getMessage());
            return;
        }
        ClassicGroup g = c.groups.get(k.groupId());
        if (k.isOffset()) {
            TopicPartition tp = k.partition();
            if (value == null) {
                if (g != null) {
                    g.offsets.remove(tp);
                }
                return;
            }
            if (g == null) {
                g = new ClassicGroup(k.groupId(), now);
                c.groups.put(k.groupId(), g);
            }
            g.offsets.put(tp, OffsetsTopicRecords.readOffsetValue(value));
            return;
        }
        if (value == null) {
            if (g != null) {
                c.groups.remove(k.groupId());
            }
            return;
        }
        OffsetsTopicRecords.StoredGroup s = OffsetsTopicRecords.readGroupValue(value);
        ClassicGroup fresh = new ClassicGroup(k.groupId(), s.stateTimestamp() < 0 ? now : s.stateTimestamp());
        if (g != null) {
            fresh.offsets.putAll(g.offsets);
        }
        fresh.generationId = s.generation();
        fresh.protocolType = s.protocolType() == null || s.protocolType().isEmpty() ? null : s.protocolType();
        fresh.protocolName = s.protocol();
        for (OffsetsTopicRecords.StoredMember sm : s.members()) {
            Member m = new Member(sm.memberId(), sm.groupInstanceId(), sm.clientId(), sm.clientHost(), sm.rebalanceTimeoutMs(),
                    sm.sessionTimeoutMs(), fresh.protocolType, List.of(new Member.Protocol(s.protocol(), sm.subscription())));
            m.assignment = sm.assignment();
            String type = fresh.protocolType;
            fresh.add(m);
            fresh.protocolType = type;
        }
        fresh.leaderId = s.leader() != null && fresh.has(s.leader()) ? s.leader() : fresh.leaderId;
        c.groups.put(k.groupId(), fresh);
    }
}
