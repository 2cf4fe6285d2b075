package org.tributary.metadata;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.tributary.metadata.MetadataRecord.ClientQuotaRecord;
import org.tributary.metadata.MetadataRecord.AccessControlEntryRecord;
import org.tributary.metadata.MetadataRecord.ConfigRecord;
import org.tributary.metadata.MetadataRecord.ControlledShutdownRecord;
import org.tributary.metadata.MetadataRecord.FenceBrokerRecord;
import org.tributary.metadata.MetadataRecord.NoOpRecord;
import org.tributary.metadata.MetadataRecord.PartitionChangeRecord;
import org.tributary.metadata.MetadataRecord.PartitionRecord;
import org.tributary.metadata.MetadataRecord.ProducerIdsRecord;
import org.tributary.metadata.MetadataRecord.RegisterBrokerRecord;
import org.tributary.metadata.MetadataRecord.RemoveAccessControlEntryRecord;
import org.tributary.metadata.MetadataRecord.RemoveTopicRecord;
import org.tributary.metadata.MetadataRecord.RemoveUserScramCredentialRecord;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.metadata.MetadataRecord.TopicRecord;
import org.tributary.metadata.MetadataRecord.UnfenceBrokerRecord;
import org.tributary.metadata.MetadataRecord.UserScramCredentialRecord;

/**
 * The binary form of one log entry: a batch of {@link MetadataRecord}s.
 *
 * <pre>
 * batch  = format:int8 (1) | crc32c:int32 (of everything after it) | count:int32 | record*
 * record = type:int8 | version:int8 | size:int32 | payload (size bytes)
 * </pre>
 *
 * Big-endian; strings are an int32 byte length (-1 = null) and UTF-8; int lists an int32 count (-1 =
 * null) and int32s; Uuids two int64s; booleans one byte 0/1. Each record type has its own version
 * byte; a decoder refuses versions it does not know, and reads every older version.
 *
 * <p>Versions: {@link PartitionRecord} and {@link PartitionChangeRecord} version 1 (KIP-455
 * reassignment) append {@code removingReplicas} and {@code addingReplicas} (int lists; null in a
 * change = unchanged) to the version 0 payload. A record without reassignment state is still
 * written as version 0, byte for byte as before, so logs and snapshots of either kind decode.
 * {@link RegisterBrokerRecord} version 1 appends the broker's endpoints (count:int32, then per
 * endpoint listener:string, host:string, port:int32, security protocol:int8); a broker with only a
 * PLAINTEXT listener at its host and port is written as version 0, which implies that endpoint. Anything unknown, truncated, trailing or
 * failing the checksum is refused with a {@link CorruptRecordException} that says what and where.
 *
 * <p>ACL records (codes 14 and 15) carry Kafka's fields with Kafka's codes: an ACL is
 * {@code id:uuid | resourceType:int8 | resourceName:string | patternType:int8 | principal:string |
 * host:string | operation:int8 | permissionType:int8} ({@link AclRecords}); its removal is the id.
 *
 * <p>SCRAM credential records (codes 12 and 13, KIP-554) carry the mechanism as Kafka's type code
 * (1 SCRAM-SHA-256, 2 SCRAM-SHA-512): a credential is {@code user:string | mechanism:int8 |
 * salt:bytes | storedKey:bytes | serverKey:bytes | iterations:int32} (bytes: an int32 length and
 * the bytes), its removal {@code user:string | mechanism:int8}. An unknown mechanism, an empty
 * user, keys not as long as the mechanism's digest or iterations outside 4096-16384 are refused.
 *
 * <p>Stateless and thread-safe.
 */
public final class MetadataCodec {
    static final byte FORMAT = 1;

    private MetadataCodec() {
    }

    /** Refused input: unknown format, type or version, bad checksum, truncated or malformed bytes. */
    public static final class CorruptRecordException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public CorruptRecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The record types and their codes in the log; never reuse a code. Codes 12-13 are SCRAM
     * credentials (set, remove), 14-15 ACLs (add, remove), 16 client quotas.
     */
    enum Type {
        REGISTER_BROKER(1, 1), FENCE_BROKER(2, 0), UNFENCE_BROKER(3, 0), CONTROLLED_SHUTDOWN(4, 0), TOPIC(5, 0), PARTITION(6, 1),
        PARTITION_CHANGE(7, 1), CONFIG(8, 0), REMOVE_TOPIC(9, 0), PRODUCER_IDS(10, 0), NO_OP(11, 0),
        USER_SCRAM_CREDENTIAL(12, 0), REMOVE_USER_SCRAM_CREDENTIAL(13, 0), ACCESS_CONTROL_ENTRY(14, 0),
        REMOVE_ACCESS_CONTROL_ENTRY(15, 0), CLIENT_QUOTA(16, 0);

        final byte code;
        /** The highest version this broker reads and writes. */
        final byte version;

        Type(int code, int version) {
            this.code = (byte) code;
            this.version = (byte) version;
        }

        static Type of(MetadataRecord r) {
            if (r instanceof RegisterBrokerRecord) {
                return REGISTER_BROKER;
            } else if (r instanceof FenceBrokerRecord) {
                return FENCE_BROKER;
            } else if (r instanceof UnfenceBrokerRecord) {
                return UNFENCE_BROKER;
            } else if (r instanceof ControlledShutdownRecord) {
                return CONTROLLED_SHUTDOWN;
            } else if (r instanceof TopicRecord) {
                return TOPIC;
            } else if (r instanceof PartitionRecord) {
                return PARTITION;
            } else if (r instanceof PartitionChangeRecord) {
                return PARTITION_CHANGE;
            } else if (r instanceof ConfigRecord) {
                return CONFIG;
            } else if (r instanceof RemoveTopicRecord) {
                return REMOVE_TOPIC;
            } else if (r instanceof ProducerIdsRecord) {
                return PRODUCER_IDS;
            } else if (r instanceof NoOpRecord) {
                return NO_OP;
            } else if (r instanceof ClientQuotaRecord) {
                return CLIENT_QUOTA;
            } else if (r instanceof AccessControlEntryRecord) {
                return ACCESS_CONTROL_ENTRY;
            } else if (r instanceof RemoveAccessControlEntryRecord) {
                return REMOVE_ACCESS_CONTROL_ENTRY;
            } else if (r instanceof UserScramCredentialRecord) {
                return USER_SCRAM_CREDENTIAL;
            } else if (r instanceof RemoveUserScramCredentialRecord) {
                return REMOVE_USER_SCRAM_CREDENTIAL;
            }
            throw new IllegalArgumentException("no codec for " + r.getClass().getName());
        }

        /** The version {@code r} is written in: the lowest that holds all of its fields. */
        static byte versionOf(MetadataRecord r) {
            if (r instanceof RegisterBrokerRecord b) {
                return (byte) (b.plaintextOnly() ? 0 : 1);
            } else if (r instanceof PartitionRecord p) {
                return (byte) (p.removingReplicas().isEmpty() && p.addingReplicas().isEmpty() ? 0 : 1);
            } else if (r instanceof PartitionChangeRecord p) {
                return (byte) (p.changesReassignment() ? 1 : 0);
            }
            return 0;
        }

        static Type ofCode(byte code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return t;
                }
            }
            return null;
        }
    }

    public static byte[] encode(List<? extends MetadataRecord> batch) {
        ByteWriter w = new ByteWriter();
        w.int8(FORMAT);
        w.int32(0); // checksum, filled in below
        w.int32(batch.size());
        for (MetadataRecord r : batch) {
            Type t = Type.of(r);
            byte version = Type.versionOf(r);
            w.int8(t.code);
            w.int8(version);
            int sizeAt = w.position();
            w.int32(0);
            RecordPayloads.write(w, r, version);
            w.putInt(sizeAt, w.position() - sizeAt - 4);
        }
        byte[] bytes = w.toByteArray();
        ByteBuffer.wrap(bytes).putInt(1, crc(bytes));
        return bytes;
    }

    public static List<MetadataRecord> decode(byte[] bytes) {
        if (bytes == null || bytes.length < 9) {
            throw new CorruptRecordException("metadata batch of " + (bytes == null ? "null" : bytes.length + " byte(s)")
                    + " is shorter than its 9-byte header", null);
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        byte format = buf.get();
        if (format != FORMAT) {
            throw new CorruptRecordException("unknown metadata batch format " + format + " (this broker reads format " + FORMAT + ")",
                    null);
        }
        int expected = buf.getInt();
        int actual = crc(bytes);
        if (expected != actual) {
            throw new CorruptRecordException("metadata batch of " + bytes.length + " bytes fails its checksum (stored "
                    + Integer.toHexString(expected) + ", computed " + Integer.toHexString(actual) + ")", null);
        }
        int count = buf.getInt();
        if (count < 0 || count > buf.remaining() / 6) {
            throw new CorruptRecordException("metadata batch claims " + count + " records in " + buf.remaining() + " bytes", null);
        }
        List<MetadataRecord> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(decodeRecord(buf, i));
        }
        if (buf.hasRemaining()) {
            throw new CorruptRecordException("metadata batch has " + buf.remaining() + " trailing byte(s) after " + count + " records",
                    null);
        }
        return out;
    }

    private static MetadataRecord decodeRecord(ByteBuffer buf, int index) {
        int at = buf.position();
        try {
            byte code = buf.get();
            byte version = buf.get();
            int size = buf.getInt();
            Type type = Type.ofCode(code);
            if (type == null) {
                throw new CorruptRecordException("record " + index + " at byte " + at + " has unknown type " + code, null);
            }
            if (version < 0 || version > type.version) {
                throw new CorruptRecordException("record " + index + " (" + type + ") at byte " + at + " has version " + version
                        + "; this broker reads versions up to " + type.version, null);
            }
            if (size < 0 || size > buf.remaining()) {
                throw new CorruptRecordException("record " + index + " (" + type + ") at byte " + at + " claims " + size
                        + " bytes; " + buf.remaining() + " remain", null);
            }
            ByteBuffer payload = buf.slice();
            payload.limit(size);
            buf.position(buf.position() + size);
            MetadataRecord r = RecordPayloads.read(type, version, new ByteReader(payload));
            if (payload.hasRemaining()) {
                throw new CorruptRecordException("record " + index + " (" + type + ") at byte " + at + " has " + payload.remaining()
                        + " unread byte(s)", null);
            }
            return r;
        } catch (BufferUnderflowException | IllegalArgumentException | NullPointerException e) {
            if (e instanceof CorruptRecordException c) {
                throw c;
            }
            throw new CorruptRecordException("record " + index + " at byte " + at + " is malformed: " + e, e);
        }
    }

    private static int crc(byte[] bytes) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, 5, bytes.length - 5);
        return (int) crc.getValue();
    }

    /** Per-type payloads. */
    static final class RecordPayloads {
        private RecordPayloads() {
        }

        static void write(ByteWriter w, MetadataRecord record, byte version) {
            if (record instanceof RegisterBrokerRecord r) {
                w.int32(r.brokerId());
                w.uuid(r.incarnationId());
                w.int64(r.epoch());
                w.string(r.host());
                w.int32(r.kafkaPort());
                w.int32(r.httpPort());
                w.string(r.rack());
                w.bool(r.fenced());
                w.bool(r.cleanShutdown());
                if (version >= 1) {
                    w.int32(r.endpoints().size());
                    for (BrokerEndpoint e : r.endpoints()) {
                        w.string(e.listener());
                        w.string(e.host());
                        w.int32(e.port());
                        w.int8((byte) e.securityProtocol());
                    }
                }
            } else if (record instanceof FenceBrokerRecord r) {
                w.int32(r.brokerId());
                w.int64(r.epoch());
            } else if (record instanceof UnfenceBrokerRecord r) {
                w.int32(r.brokerId());
                w.int64(r.epoch());
            } else if (record instanceof ControlledShutdownRecord r) {
                w.int32(r.brokerId());
                w.int64(r.epoch());
            } else if (record instanceof TopicRecord r) {
                w.string(r.name());
                w.uuid(r.topicId());
            } else if (record instanceof PartitionRecord r) {
                w.uuid(r.topicId());
                w.int32(r.partition());
                w.ints(r.replicas());
                w.ints(r.isr());
                w.int32(r.leader());
                w.int32(r.leaderEpoch());
                w.int32(r.partitionEpoch());
                if (version >= 1) {
                    w.ints(r.removingReplicas());
                    w.ints(r.addingReplicas());
                }
            } else if (record instanceof PartitionChangeRecord r) {
                w.uuid(r.topicId());
                w.int32(r.partition());
                w.ints(r.isr());
                w.int32(r.leader());
                w.ints(r.replicas());
                if (version >= 1) {
                    w.ints(r.removingReplicas());
                    w.ints(r.addingReplicas());
                }
            } else if (record instanceof ConfigRecord r) {
                w.int8((byte) r.resourceType().ordinal());
                w.string(r.resourceName());
                w.string(r.key());
                w.string(r.value());
            } else if (record instanceof RemoveTopicRecord r) {
                w.uuid(r.topicId());
            } else if (record instanceof ProducerIdsRecord r) {
                w.int32(r.brokerId());
                w.int64(r.brokerEpoch());
                w.int64(r.nextProducerId());
            } else if (record instanceof ClientQuotaRecord r) {
                java.util.SortedMap<String, String> entity = new java.util.TreeMap<>(r.entity().entries());
                w.int32(entity.size());
                entity.forEach((type, name) -> {
                    w.string(type);
                    w.string(name);
                });
                w.string(r.key());
                w.int64(Double.doubleToLongBits(r.value()));
                w.bool(r.remove());
            } else if (record instanceof AccessControlEntryRecord r) {
                AclRecords.write(w, r);
            } else if (record instanceof RemoveAccessControlEntryRecord r) {
                w.uuid(r.id());
            } else if (record instanceof UserScramCredentialRecord r) {
                w.string(r.user());
                w.int8(r.mechanism().type());
                w.bytes(r.salt());
                w.bytes(r.storedKey());
                w.bytes(r.serverKey());
                w.int32(r.iterations());
            } else if (record instanceof RemoveUserScramCredentialRecord r) {
                w.string(r.user());
                w.int8(r.mechanism().type());
            } else if (!(record instanceof NoOpRecord)) {
                throw new IllegalArgumentException("no codec for " + record.getClass().getName());
            }
        }

        static MetadataRecord read(Type type, byte version, ByteReader r) {
            switch (type) {
                case REGISTER_BROKER: {
                    RegisterBrokerRecord b = new RegisterBrokerRecord(r.int32(), r.uuid(), r.int64(), r.string(), r.int32(), r.int32(),
                            r.string(), r.bool(), r.bool());
                    if (version < 1) {
                        return b;
                    }
                    int n = r.int32();
                    if (n < 1 || n > 64) {
                        throw new IllegalArgumentException("a broker registration has " + n + " endpoints");
                    }
                    List<BrokerEndpoint> endpoints = new java.util.ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        endpoints.add(new BrokerEndpoint(r.string(), r.string(), r.int32(), r.int8()));
                    }
                    return new RegisterBrokerRecord(b.brokerId(), b.incarnationId(), b.epoch(), b.host(), b.kafkaPort(), b.httpPort(),
                            b.rack(), b.fenced(), b.cleanShutdown(), endpoints);
                }
                case FENCE_BROKER:
                    return new FenceBrokerRecord(r.int32(), r.int64());
                case UNFENCE_BROKER:
                    return new UnfenceBrokerRecord(r.int32(), r.int64());
                case CONTROLLED_SHUTDOWN:
                    return new ControlledShutdownRecord(r.int32(), r.int64());
                case TOPIC:
                    return new TopicRecord(r.string(), r.uuid());
                case PARTITION: {
                    PartitionRecord p = new PartitionRecord(r.uuid(), r.int32(), r.ints(), r.ints(), r.int32(), r.int32(), r.int32());
                    if (version < 1) {
                        return p;
                    }
                    List<Integer> removing = r.ints();
                    List<Integer> adding = r.ints();
                    if (removing == null || adding == null) {
                        throw new IllegalArgumentException("a partition record has null removing or adding replicas");
                    }
                    return new PartitionRecord(p.topicId(), p.partition(), p.replicas(), p.isr(), p.leader(), p.leaderEpoch(),
                            p.partitionEpoch(), removing, adding);
                }
                case PARTITION_CHANGE: {
                    PartitionChangeRecord c = new PartitionChangeRecord(r.uuid(), r.int32(), r.ints(), r.int32(), r.ints());
                    if (version < 1) {
                        return c;
                    }
                    return new PartitionChangeRecord(c.topicId(), c.partition(), c.isr(), c.leader(), c.replicas(), r.ints(), r.ints());
                }
                case CONFIG:
                    byte t = r.int8();
                    if (t < 0 || t >= ResourceType.values().length) {
                        throw new IllegalArgumentException("unknown config resource type " + t);
                    }
                    return new ConfigRecord(ResourceType.values()[t], r.string(), r.string(), r.string());
                case REMOVE_TOPIC:
                    return new RemoveTopicRecord(r.uuid());
                case PRODUCER_IDS:
                    return new ProducerIdsRecord(r.int32(), r.int64(), r.int64());
                case NO_OP:
                    return new NoOpRecord();
                case CLIENT_QUOTA: {
                    int n = r.int32();
                    if (n <= 0 || n > 3) {
                        throw new IllegalArgumentException("a client quota entity has " + n + " entity types");
                    }
                    java.util.Map<String, String> entity = new java.util.HashMap<>();
                    for (int i = 0; i < n; i++) {
                        String entityType = r.string();
                        if (entityType == null || entity.containsKey(entityType)) {
                            throw new IllegalArgumentException("a client quota entity type is null or repeated");
                        }
                        entity.put(entityType, r.string());
                    }
                    return new ClientQuotaRecord(new org.apache.kafka.common.quota.ClientQuotaEntity(entity), r.string(),
                            Double.longBitsToDouble(r.int64()), r.bool());
                }
                case ACCESS_CONTROL_ENTRY:
                    return AclRecords.read(r);
                case REMOVE_ACCESS_CONTROL_ENTRY:
                    return new RemoveAccessControlEntryRecord(r.uuid());
                case USER_SCRAM_CREDENTIAL:
                    return new UserScramCredentialRecord(r.string(), scramMechanism(r.int8()), r.bytes(), r.bytes(), r.bytes(), r.int32());
                case REMOVE_USER_SCRAM_CREDENTIAL:
                    return new RemoveUserScramCredentialRecord(r.string(), scramMechanism(r.int8()));
                default:
                    throw new IllegalArgumentException("unknown record type " + type);
            }
        }

        private static org.apache.kafka.common.security.scram.internals.ScramMechanism scramMechanism(byte type) {
            for (org.apache.kafka.common.security.scram.internals.ScramMechanism m
                    : org.apache.kafka.common.security.scram.internals.ScramMechanism.values()) {
                if (m.type() == type) {
                    return m;
                }
            }
            throw new IllegalArgumentException("unknown SCRAM mechanism type " + type);
        }
    }
}
