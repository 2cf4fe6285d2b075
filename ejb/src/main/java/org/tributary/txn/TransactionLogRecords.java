package org.tributary.txn;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * The records of {@code __transaction_state} in Kafka's format, so Kafka's tools read them: key
 * version 0 ({@code int16 version, string transactional_id}); value version 0 written
 * ({@code int16 version, int64 producer_id, int16 producer_epoch, int32 timeout_ms, int8 status,
 * [string topic, [int32 partition]] partitions (null when Empty), int64 last_update_ms,
 * int64 start_ms}); version 1 (flexible, KIP-890 tagged fields) also read. A tombstone (null
 * value) removes the transactional id.
 */
public final class TransactionLogRecords {
    private static final short KEY_VERSION = 0;
    private static final short VALUE_VERSION = 0;

    private TransactionLogRecords() {
    }

    public static byte[] key(String transactionalId) {
        byte[] id = transactionalId.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + id.length).putShort(KEY_VERSION).putShort((short) id.length).put(id).array();
    }

    /** The transactional id of a key, or null for a key of another version (skipped, as Kafka skips unknown keys). */
    public static String transactionalId(byte[] key) {
        ByteBuffer b = ByteBuffer.wrap(key);
        if (b.getShort() != KEY_VERSION) {
            return null;
        }
        byte[] id = new byte[b.getShort()];
        b.get(id);
        return new String(id, StandardCharsets.UTF_8);
    }

    public static byte[] value(TxnSnapshot t) {
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        t.partitions().forEach(tp -> byTopic.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition()));
        boolean nullPartitions = t.state() == TxnState.EMPTY;
        int size = 2 + 8 + 2 + 4 + 1 + 4 + 8 + 8;
        Map<byte[], List<Integer>> encoded = new LinkedHashMap<>();
        for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
            byte[] topic = e.getKey().getBytes(StandardCharsets.UTF_8);
            encoded.put(topic, e.getValue());
            size += 2 + topic.length + 4 + 4 * e.getValue().size();
        }
        ByteBuffer b = ByteBuffer.allocate(size).putShort(VALUE_VERSION).putLong(t.producerId()).putShort(t.epoch())
                .putInt(t.timeoutMs()).put(t.state().id());
        if (nullPartitions) {
            b.putInt(-1);
        } else {
            b.putInt(encoded.size());
            encoded.forEach((topic, ids) -> {
                b.putShort((short) topic.length).put(topic).putInt(ids.size());
                ids.forEach(b::putInt);
            });
        }
        return b.putLong(t.updateMs()).putLong(t.startMs()).array();
    }

    /** Reads a value of version 0 or 1; the in-memory-only fields come back as -1. */
    public static TxnSnapshot parseValue(byte[] value) {
        ByteBuffer b = ByteBuffer.wrap(value);
        short version = b.getShort();
        if (version < 0 || version > 1) {
            throw new IllegalArgumentException("unknown __transaction_state value version " + version);
        }
        boolean flexible = version >= 1;
        long producerId = b.getLong();
        short epoch = b.getShort();
        int timeoutMs = b.getInt();
        TxnState state = TxnState.fromId(b.get());
        int topics = flexible ? ByteUtils.readUnsignedVarint(b) - 1 : b.getInt();
        Set<TopicPartition> partitions = new HashSet<>();
        for (int i = 0; i < topics; i++) {
            int len = flexible ? ByteUtils.readUnsignedVarint(b) - 1 : b.getShort();
            byte[] topic = new byte[len];
            b.get(topic);
            String name = new String(topic, StandardCharsets.UTF_8);
            int ids = flexible ? ByteUtils.readUnsignedVarint(b) - 1 : b.getInt();
            for (int j = 0; j < ids; j++) {
                partitions.add(new TopicPartition(name, b.getInt()));
            }
            if (flexible) {
                skipTaggedFields(b, null);
            }
        }
        long updateMs = b.getLong();
        long startMs = b.getLong();
        long[] previousProducerId = {-1L};
        if (flexible) {
            skipTaggedFields(b, (tag, field) -> {
                if (tag == 0) {
                    previousProducerId[0] = field.getLong();
                }
            });
        }
        return new TxnSnapshot(producerId, previousProducerId[0], epoch, (short) -1, timeoutMs, state, partitions, startMs, updateMs);
    }

    private interface TagReader {
        void read(int tag, ByteBuffer field);
    }

    private static void skipTaggedFields(ByteBuffer b, TagReader reader) {
        int n = ByteUtils.readUnsignedVarint(b);
        for (int i = 0; i < n; i++) {
            int tag = ByteUtils.readUnsignedVarint(b);
            int size = ByteUtils.readUnsignedVarint(b);
            ByteBuffer field = b.slice(b.position(), size);
            if (reader != null) {
                reader.read(tag, field);
            }
            b.position(b.position() + size);
        }
    }
}
