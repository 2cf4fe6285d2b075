package org.tributary.group;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;

/**
 * Replays one {@code __consumer_offsets} partition into new group objects: the latest offset per
 * key (tombstones remove), the latest metadata per group. Groups with stored members come back
 * Stable with their generation and assignments (the coordinator gives each member a fresh session
 * timeout), so static members that restart rejoin without a rebalance.
 *
 * <p>As Kafka's coordinator loader, it reads up to the log end, not only up to the high watermark:
 * the new leader's log is the one every replica will end up with, so records above the high
 * watermark are committed later (or lost with the leadership, and the groups with them). Until they
 * are committed, offsets read from above the high watermark are not shown: they are returned as
 * {@link Loaded#staged}, to become visible once the high watermark covers them, as Kafka's reads see
 * only the state at the last committed offset. Group metadata and tombstones apply at once.
 *
 * <p>Touches no coordinator state: runs without its lock, on the loader thread.
 */
final class GroupLoader {
    private static final Logger LOG = Logger.getLogger(GroupLoader.class.getName());

    /** An offset read from above the high watermark, and where. */
    record Staged(CommittedOffset offset, long position) {
    }

    /** What a replay found; {@code endOffset} is where it stopped (exclusive), in leader epoch {@code leaderEpoch}. */
    record Loaded(Map<String, ClassicGroup> groups, Map<String, Map<TopicPartition, Staged>> staged, long endOffset, int leaderEpoch) {
        int offsetCount() {
            return groups.values().stream().mapToInt(g -> g.offsets.size()).sum();
        }

        int stagedCount() {
            return staged.values().stream().mapToInt(Map::size).sum();
        }
    }

    private GroupLoader() {
    }

    static Loaded replay(CoordinatorLog log, int partition, long now) throws IOException {
        Replayer r = new Replayer(now);
        long end = log.replay(partition, r);
        for (ClassicGroup g : List.copyOf(r.groups.values())) {
            if (g.isEmpty()) {
                g.transitionTo(GroupState.EMPTY, g.stateTimestamp);
                g.leaderId = null;
                if (!g.hasOffsets() && !r.staged.containsKey(g.groupId) && g.generationId == 0) {
                    r.groups.remove(g.groupId);
                }
            } else {
                g.state = GroupState.STABLE;
            }
        }
        return new Loaded(r.groups, r.staged, end, r.leaderEpoch);
    }

    private static final class Replayer implements CoordinatorLog.Replay {
        final Map<String, ClassicGroup> groups = new HashMap<>();
        final Map<String, Map<TopicPartition, Staged>> staged = new HashMap<>();
        /** The groups each producer's open transaction wrote offsets of (so a marker does not scan every group). */
        final Map<Long, java.util.Set<String>> open = new HashMap<>();
        final long now;
        long highWatermark;
        int leaderEpoch = -1;

        Replayer(long now) {
            this.now = now;
        }

        @Override
        public void begin(long highWatermark, int leaderEpoch) {
            this.highWatermark = highWatermark;
            this.leaderEpoch = leaderEpoch;
        }

        @Override
        public void record(long position, byte[] key, byte[] value) {
            record(position, key, value, -1L, false);
        }

        /**
         * A transaction marker: a COMMIT takes up the offsets the producer's transaction wrote (unless
         * a later write of the partition is already there), an ABORT drops them, as Kafka's replay.
         * A COMMIT not yet below the high watermark stages them like any offset read from above it.
         */
        @Override
        public void marker(long position, long producerId, boolean commit) {
            java.util.Set<String> ids = open.remove(producerId);
            if (ids == null) {
                return;
            }
            for (String id : ids) {
                ClassicGroup g = groups.get(id);
                if (g == null || !g.pendingTxnOffsets.containsKey(producerId)) {
                    continue;
                }
                java.util.Map<TopicPartition, ClassicGroup.TxnOffset> ended = g.endTxn(producerId, position);
                if (!commit) {
                    continue;
                }
                ended.forEach((tp, o) -> {
                    if (position < highWatermark) {
                        g.applyTxnOffset(tp, o);
                        return;
                    }
                    Map<TopicPartition, Staged> s = staged.computeIfAbsent(g.groupId, k -> new HashMap<>());
                    Staged current = s.get(tp);
                    if (g.visiblePosition(tp) < o.position() && (current == null || current.position() < o.position())) {
                        s.put(tp, new Staged(o.offset(), o.position()));
                    }
                });
            }
        }

        @Override
        public void record(long position, byte[] key, byte[] value, long producerId, boolean transactional) {
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
            if (k.isOffset() && transactional) {
                txnOffset(k.groupId(), k.partition(), value, position, producerId);
            } else if (k.isOffset()) {
                offset(k.groupId(), k.partition(), value, position);
            } else {
                group(k.groupId(), value);
            }
        }

        private void offset(String groupId, TopicPartition tp, byte[] value, long position) {
            ClassicGroup g = groups.get(groupId);
            if (value == null) {
                if (g != null) {
                    g.removeOffset(tp);
                }
                Map<TopicPartition, Staged> s = staged.get(groupId);
                if (s != null) {
                    s.remove(tp);
                }
                return;
            }
            if (g == null) {
                g = new ClassicGroup(groupId, now);
                groups.put(groupId, g);
            }
            CommittedOffset o = OffsetsTopicRecords.readOffsetValue(value);
            if (position < highWatermark) {
                g.putOffset(tp, o, position);
            } else {
                staged.computeIfAbsent(groupId, id -> new HashMap<>()).put(tp, new Staged(o, position));
            }
        }

        /** An offset written in a transaction: pending until the producer's marker follows (or after the replay, if none does). */
        private void txnOffset(String groupId, TopicPartition tp, byte[] value, long position, long producerId) {
            if (value == null) {
                return; // Kafka writes no transactional tombstones
            }
            groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, now))
                    .addTxnOffset(producerId, tp, OffsetsTopicRecords.readOffsetValue(value), position);
            open.computeIfAbsent(producerId, id -> new java.util.HashSet<>()).add(groupId);
        }

        private void group(String groupId, byte[] value) {
            ClassicGroup g = groups.get(groupId);
            if (value == null) {
                groups.remove(groupId);
                staged.remove(groupId);
                return;
            }
            OffsetsTopicRecords.StoredGroup s = OffsetsTopicRecords.readGroupValue(value);
            ClassicGroup fresh = new ClassicGroup(groupId, s.stateTimestamp() < 0 ? now : s.stateTimestamp());
            if (g != null) {
                fresh.takeOffsets(g);
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
            groups.put(groupId, fresh);
        }
    }
}
