package org.tributary.group;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * Kafka's record schemas in {@code __consumer_offsets}, written byte for byte as Kafka does so
 * Kafka's own tools can read the topic: keys {@code OffsetCommitKey} v1 (group, topic,
 * partition) and {@code GroupMetadataKey} v2 (group); values {@code OffsetCommitValue} v3
 * (offset, leader epoch, metadata, commit timestamp; v1 when the commit carries its own expiry)
 * and {@code GroupMetadataValue} v3 (protocol type, generation, protocol, leader, state
 * timestamp, members). Values of versions 0-3 are read.
 */
final class OffsetsTopicRecords {
    static final short OFFSET_KEY_VERSION = 1;
    static final short GROUP_KEY_VERSION = 2;

    private OffsetsTopicRecords() {
    }

    /** A decoded key: an offset key has a partition, a group key only the group id. */
    record Key(String groupId, TopicPartition partition) {
        boolean isOffset() {
            return partition != null;
        }
    }

    /** A member as stored in GroupMetadataValue. */
    record StoredMember(String memberId, String groupInstanceId, String clientId, String clientHost, int rebalanceTimeoutMs,
            int sessionTimeoutMs, byte[] subscription, byte[] assignment) {
    }

    /** GroupMetadataValue. */
    record StoredGroup(String protocolType, int generation, String protocol, String leader, long stateTimestamp,
            List<StoredMember> members) {
    }

    static byte[] offsetKey(String group, TopicPartition tp) {
        Writer w = new Writer();
        w.i16(OFFSET_KEY_VERSION).str(group).str(tp.topic()).i32(tp.partition());
        return w.bytes();
    }

    static byte[] groupKey(String group) {
        Writer w = new Writer();
        w.i16(GROUP_KEY_VERSION).str(group);
        return w.bytes();
    }

    static Key readKey(byte[] key) {
        ByteBuffer b = ByteBuffer.wrap(key);
        short version = b.getShort();
        if (version == 0 || version == 1) {
            String group = str(b);
            String topic = str(b);
            return new Key(group, new TopicPartition(topic, b.getInt()));
        }
        if (version == 2) {
            return new Key(str(b), null);
        }
        throw new IllegalArgumentException("unknown key version " + version + " in __consumer_offsets");
    }

    static byte[] offsetValue(CommittedOffset o) {
        Writer w = new Writer();
        if (o.expireTimestamp() >= 0) {
            w.i16((short) 1).i64(o.offset()).str(o.metadata()).i64(o.commitTimestamp()).i64(o.expireTimestamp());
        } else {
            w.i16((short) 3).i64(o.offset()).i32(o.leaderEpoch()).str(o.metadata()).i64(o.commitTimestamp());
        }
        return w.bytes();
    }

    static CommittedOffset readOffsetValue(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        short version = b.getShort();
        switch (version) {
            case 0: {
                long offset = b.getLong();
                String metadata = str(b);
                return new CommittedOffset(offset, -1, metadata, b.getLong(), -1L);
            }
            case 1: {
                long offset = b.getLong();
                String metadata = str(b);
                long commit = b.getLong();
                return new CommittedOffset(offset, -1, metadata, commit, b.getLong());
            }
            case 2: {
                long offset = b.getLong();
                String metadata = str(b);
                return new CommittedOffset(offset, -1, metadata, b.getLong(), -1L);
            }
            case 3: {
                long offset = b.getLong();
                int epoch = b.getInt();
                String metadata = str(b);
                return new CommittedOffset(offset, epoch, metadata, b.getLong(), -1L);
            }
            default:
                throw new IllegalArgumentException("unknown offset value version " + version);
        }
    }

    static byte[] groupValue(StoredGroup g) {
        Writer w = new Writer();
        w.i16((short) 3).str(g.protocolType() == null ? "" : g.protocolType()).i32(g.generation())
                .nullableStr(g.protocol()).nullableStr(g.leader()).i64(g.stateTimestamp()).i32(g.members().size());
        for (StoredMember m : g.members()) {
            w.str(m.memberId()).nullableStr(m.groupInstanceId()).str(m.clientId()).str(m.clientHost())
                    .i32(m.rebalanceTimeoutMs()).i32(m.sessionTimeoutMs()).bytes(m.subscription()).bytes(m.assignment());
        }
        return w.bytes();
    }

    static StoredGroup readGroupValue(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        short version = b.getShort();
        if (version < 0 || version > 3) {
            throw new IllegalArgumentException("unknown group value version " + version);
        }
        String protocolType = str(b);
        int generation = b.getInt();
        String protocol = str(b);
        String leader = str(b);
        long stateTimestamp = version >= 2 ? b.getLong() : -1L;
        int n = b.getInt();
        List<StoredMember> members = new ArrayList<>(Math.max(0, n));
        for (int i = 0; i < n; i++) {
            String memberId = str(b);
            String instanceId = version >= 3 ? str(b) : null;
            String clientId = str(b);
            String clientHost = str(b);
            int rebalanceTimeout = version >= 1 ? b.getInt() : -1;
            int sessionTimeout = b.getInt();
            byte[] subscription = bytes(b);
            byte[] assignment = bytes(b);
            members.add(new StoredMember(memberId, instanceId, clientId, clientHost,
                    rebalanceTimeout < 0 ? sessionTimeout : rebalanceTimeout, sessionTimeout, subscription, assignment));
        }
        return new StoredGroup(protocolType, generation, protocol, leader, stateTimestamp, members);
    }

    private static String str(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0) {
            return null;
        }
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static byte[] bytes(ByteBuffer b) {
        int len = b.getInt();
        if (len < 0) {
            return new byte[0];
        }
        byte[] s = new byte[len];
        b.get(s);
        return s;
    }

    /** A growing big-endian buffer. */
    private static final class Writer {
        private ByteBuffer buf = ByteBuffer.allocate(128);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n));
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        Writer i16(short v) {
            ensure(2);
            buf.putShort(v);
            return this;
        }

        Writer i32(int v) {
            ensure(4);
            buf.putInt(v);
            return this;
        }

        Writer i64(long v) {
            ensure(8);
            buf.putLong(v);
            return this;
        }

        Writer str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length > Short.MAX_VALUE) {
                throw new IllegalArgumentException("string too long for the offsets topic: " + b.length + " bytes");
            }
            ensure(2 + b.length);
            buf.putShort((short) b.length).put(b);
            return this;
        }

        Writer nullableStr(String s) {
            if (s == null) {
                return i16((short) -1);
            }
            return str(s);
        }

        Writer bytes(byte[] b) {
            byte[] v = b == null ? new byte[0] : b;
            ensure(4 + v.length);
            buf.putInt(v.length).put(v);
            return this;
        }

        byte[] bytes() {
            byte[] out = new byte[buf.position()];
            buf.flip();
            buf.get(out);
            return out;
        }
    }
}
