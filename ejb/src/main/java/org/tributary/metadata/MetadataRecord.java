package org.tributary.metadata;

import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.apache.kafka.common.Uuid;

/**
 * One typed record of the cluster metadata log. The log is a sequence of entries; each entry is a
 * batch of records ({@link MetadataCodec}) applied atomically by {@link MetadataDelta}, in log
 * order, on every broker. The active controller is the only writer.
 *
 * <p>Every record is an immutable value; list fields are copied. Broker epochs are the log offset
 * of the entry that holds the broker's {@link RegisterBrokerRecord}. Partition numbers, broker ids
 * and epochs follow Kafka's KRaft records ({@code metadata/src/main/resources/common/metadata}).
 */
public sealed interface MetadataRecord {

    /** {@link PartitionChangeRecord#leader()} when the leader does not change. */
    int NO_LEADER_CHANGE = -2;
    /** A partition leader of -1: no leader, the partition is offline. */
    int NO_LEADER = -1;
    /** {@link RegisterBrokerRecord#epoch()} meaning "the offset of the entry holding this record". */
    long EPOCH_OF_ENTRY = -1;

    /** The resource a {@link ConfigRecord} belongs to. */
    enum ResourceType {
        TOPIC, BROKER
    }

    /**
     * A broker (re-)registers: a new incarnation (one process lifetime) of broker {@code brokerId}.
     * It replaces any earlier registration of that id. The controller always writes
     * {@code fenced = true} and {@code epoch = EPOCH_OF_ENTRY}; snapshots carry the real epoch and
     * fenced state. {@code cleanShutdown} is what the broker reported about its previous run.
     */
    record RegisterBrokerRecord(int brokerId, Uuid incarnationId, long epoch, String host, int kafkaPort, int httpPort,
            String rack, boolean fenced, boolean cleanShutdown, List<BrokerEndpoint> endpoints) implements MetadataRecord {
        public RegisterBrokerRecord {
            Objects.requireNonNull(incarnationId, "incarnationId");
            Objects.requireNonNull(host, "host");
            if (brokerId < 0) {
                throw new IllegalArgumentException("broker id must be >= 0, was " + brokerId);
            }
            endpoints = endpoints == null || endpoints.isEmpty() ? BrokerEndpoint.plaintextOnly(host, kafkaPort) : List.copyOf(endpoints);
        }

        /** A broker with one PLAINTEXT listener at {@code host:kafkaPort} (version 0). */
        public RegisterBrokerRecord(int brokerId, Uuid incarnationId, long epoch, String host, int kafkaPort, int httpPort,
                String rack, boolean fenced, boolean cleanShutdown) {
            this(brokerId, incarnationId, epoch, host, kafkaPort, httpPort, rack, fenced, cleanShutdown, null);
        }

        /** Whether the endpoints are only the PLAINTEXT listener at host:kafkaPort, which version 0 implies. */
        boolean plaintextOnly() {
            return endpoints.equals(BrokerEndpoint.plaintextOnly(host, kafkaPort));
        }
    }

    /** The broker's registration of epoch {@code epoch} becomes fenced (it may not lead or be in an ISR). */
    record FenceBrokerRecord(int brokerId, long epoch) implements MetadataRecord {
    }

    /** The broker's registration of epoch {@code epoch} becomes unfenced. */
    record UnfenceBrokerRecord(int brokerId, long epoch) implements MetadataRecord {
    }

    /** The unfenced broker's registration of epoch {@code epoch} enters controlled shutdown. */
    record ControlledShutdownRecord(int brokerId, long epoch) implements MetadataRecord {
    }

    /** A topic is created (without partitions; {@link PartitionRecord}s follow in the same batch). */
    record TopicRecord(String name, Uuid topicId) implements MetadataRecord {
        public TopicRecord {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(topicId, "topicId");
        }
    }

    /**
     * A partition's full registration: the next partition of its topic (partitions are numbered
     * without gaps), or a replacement in a snapshot. {@code removingReplicas} and
     * {@code addingReplicas} (KIP-455) are empty unless a reassignment is in progress; then
     * {@code replicas} is the target followed by the replicas being removed.
     */
    record PartitionRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
            int partitionEpoch, List<Integer> removingReplicas, List<Integer> addingReplicas) implements MetadataRecord {
        public PartitionRecord {
            Objects.requireNonNull(topicId, "topicId");
            replicas = List.copyOf(replicas);
            isr = List.copyOf(isr);
            removingReplicas = removingReplicas == null ? List.of() : List.copyOf(removingReplicas);
            addingReplicas = addingReplicas == null ? List.of() : List.copyOf(addingReplicas);
        }

        /** A partition without a reassignment in progress. */
        public PartitionRecord(Uuid topicId, int partition, List<Integer> replicas, List<Integer> isr, int leader, int leaderEpoch,
                int partitionEpoch) {
            this(topicId, partition, replicas, isr, leader, leaderEpoch, partitionEpoch, List.of(), List.of());
        }

        /** The record of {@code reg} as partition {@code partition} of topic {@code topicId}. */
        public static PartitionRecord of(Uuid topicId, int partition, PartitionRegistration reg) {
            return new PartitionRecord(topicId, partition, reg.replicas(), reg.isr(), reg.leader(), reg.leaderEpoch(),
                    reg.partitionEpoch(), reg.removingReplicas(), reg.addingReplicas());
        }

        public PartitionRegistration registration() {
            return new PartitionRegistration(replicas, isr, leader, leaderEpoch, partitionEpoch, removingReplicas, addingReplicas);
        }
    }

    /**
     * A change to one partition. {@code isr}, {@code replicas}, {@code removingReplicas} and
     * {@code addingReplicas} are null when unchanged; {@code leader} is {@link #NO_LEADER_CHANGE}
     * when unchanged. As in Kafka, applying it always bumps the partition epoch, and bumps the
     * leader epoch whenever {@code leader} is set (a new leader, or the same one to force a bump).
     */
    record PartitionChangeRecord(Uuid topicId, int partition, List<Integer> isr, int leader, List<Integer> replicas,
            List<Integer> removingReplicas, List<Integer> addingReplicas) implements MetadataRecord {
        public PartitionChangeRecord {
            Objects.requireNonNull(topicId, "topicId");
            isr = isr == null ? null : List.copyOf(isr);
            replicas = replicas == null ? null : List.copyOf(replicas);
            removingReplicas = removingReplicas == null ? null : List.copyOf(removingReplicas);
            addingReplicas = addingReplicas == null ? null : List.copyOf(addingReplicas);
        }

        /** A change that leaves the reassignment state (removing and adding replicas) as it is. */
        public PartitionChangeRecord(Uuid topicId, int partition, List<Integer> isr, int leader, List<Integer> replicas) {
            this(topicId, partition, isr, leader, replicas, null, null);
        }

        /** Whether it sets the removing or adding replicas (needs record version 1 in the log). */
        public boolean changesReassignment() {
            return removingReplicas != null || addingReplicas != null;
        }
    }

    /**
     * Sets ({@code value != null}) or deletes ({@code value == null}) one config key of a topic (by
     * name) or a broker ({@code resourceName} = the broker id, or "" for the cluster default).
     */
    record ConfigRecord(ResourceType resourceType, String resourceName, String key, String value) implements MetadataRecord {
        public ConfigRecord {
            Objects.requireNonNull(resourceType, "resourceType");
            Objects.requireNonNull(resourceName, "resourceName");
            Objects.requireNonNull(key, "key");
        }
    }

    /** A topic is deleted, with its partitions and configs. */
    record RemoveTopicRecord(Uuid topicId) implements MetadataRecord {
        public RemoveTopicRecord {
            Objects.requireNonNull(topicId, "topicId");
        }
    }

    /**
     * A block of producer ids was handed to broker {@code brokerId} (epoch {@code brokerEpoch});
     * the next block starts at {@code nextProducerId}. It only ever grows. Snapshots write it with
     * broker id and epoch -1.
     */
    record ProducerIdsRecord(int brokerId, long brokerEpoch, long nextProducerId) implements MetadataRecord {
    }

    /**
     * Sets ({@code remove == false}) or removes one client quota value of one entity (Kafka's
     * QuotaRecord): a user, a client id, or both; a {@code null} entity name is that type's default.
     */
    record ClientQuotaRecord(ClientQuotaEntity entity, String key, double value, boolean remove) implements MetadataRecord {
        public ClientQuotaRecord {
            Objects.requireNonNull(entity, "entity");
            Objects.requireNonNull(key, "key");
            if (entity.entries().isEmpty()) {
                throw new IllegalArgumentException("a client quota entity names at least one entity type");
            }
        }
    }

    /**
     * An ACL is added (Kafka's {@code AccessControlEntryRecord}): {@code acl} is concrete (no ANY,
     * MATCH or UNKNOWN part) and {@code id} names it until a {@link RemoveAccessControlEntryRecord}.
     */
    record AccessControlEntryRecord(Uuid id, org.apache.kafka.common.acl.AclBinding acl) implements MetadataRecord {
        public AccessControlEntryRecord {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(acl, "acl");
            if (acl.isUnknown() || acl.pattern().resourceType() == org.apache.kafka.common.resource.ResourceType.ANY
                    || acl.pattern().patternType() != org.apache.kafka.common.resource.PatternType.LITERAL
                            && acl.pattern().patternType() != org.apache.kafka.common.resource.PatternType.PREFIXED
                    || acl.entry().operation() == org.apache.kafka.common.acl.AclOperation.ANY
                    || acl.entry().permissionType() == org.apache.kafka.common.acl.AclPermissionType.ANY
                    || acl.pattern().name().isEmpty() || acl.entry().principal() == null || acl.entry().host() == null) {
                throw new IllegalArgumentException("not a concrete ACL: " + acl);
            }
        }
    }

    /** The ACL {@code id} is removed (Kafka's {@code RemoveAccessControlEntryRecord}). */
    record RemoveAccessControlEntryRecord(Uuid id) implements MetadataRecord {
        public RemoveAccessControlEntryRecord {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * Sets (adds or replaces) the SCRAM credential of {@code user} for {@code mechanism} (Kafka's
     * {@code UserScramCredentialRecord}, KIP-554): the salt, the stored key and the server key the
     * controller derived from the client's salted password, and the iteration count. Never a
     * password. The keys are as long as the mechanism's digest; the arrays are copied in and out, and
     * {@link #toString()} hides them.
     */
    record UserScramCredentialRecord(String user, org.apache.kafka.common.security.scram.internals.ScramMechanism mechanism,
            byte[] salt, byte[] storedKey, byte[] serverKey, int iterations) implements MetadataRecord {
        public UserScramCredentialRecord {
            requireScramUser(user);
            Objects.requireNonNull(mechanism, "mechanism");
            Objects.requireNonNull(salt, "salt");
            Objects.requireNonNull(storedKey, "storedKey");
            Objects.requireNonNull(serverKey, "serverKey");
            int keyLength = mechanism == org.apache.kafka.common.security.scram.internals.ScramMechanism.SCRAM_SHA_256 ? 32 : 64;
            if (salt.length == 0 || storedKey.length != keyLength || serverKey.length != keyLength) {
                throw new IllegalArgumentException("a " + mechanism.mechanismName() + " credential has a salt of " + salt.length
                        + " bytes and keys of " + storedKey.length + " and " + serverKey.length + " bytes (keys are " + keyLength + ")");
            }
            if (iterations < mechanism.minIterations() || iterations > MAX_SCRAM_ITERATIONS) {
                throw new IllegalArgumentException("a " + mechanism.mechanismName() + " credential has " + iterations
                        + " iterations, outside " + mechanism.minIterations() + "-" + MAX_SCRAM_ITERATIONS);
            }
            salt = salt.clone();
            storedKey = storedKey.clone();
            serverKey = serverKey.clone();
        }

        @Override
        public byte[] salt() {
            return salt.clone();
        }

        @Override
        public byte[] storedKey() {
            return storedKey.clone();
        }

        @Override
        public byte[] serverKey() {
            return serverKey.clone();
        }

        /** The credential the authenticator checks a client proof against. */
        public org.apache.kafka.common.security.scram.ScramCredential credential() {
            return new org.apache.kafka.common.security.scram.ScramCredential(salt(), storedKey(), serverKey(), iterations);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UserScramCredentialRecord r && user.equals(r.user) && mechanism == r.mechanism
                    && iterations == r.iterations && java.util.Arrays.equals(salt, r.salt)
                    && java.util.Arrays.equals(storedKey, r.storedKey) && java.util.Arrays.equals(serverKey, r.serverKey);
        }

        @Override
        public int hashCode() {
            return Objects.hash(user, mechanism, iterations, java.util.Arrays.hashCode(salt), java.util.Arrays.hashCode(storedKey),
                    java.util.Arrays.hashCode(serverKey));
        }

        @Override
        public String toString() {
            return "UserScramCredentialRecord[user=" + user + ", mechanism=" + mechanism.mechanismName() + ", iterations=" + iterations
                    + ", salt and keys hidden]";
        }
    }

    /** The SCRAM credential of {@code user} for {@code mechanism} is removed (Kafka's {@code RemoveUserScramCredentialRecord}). */
    record RemoveUserScramCredentialRecord(String user, org.apache.kafka.common.security.scram.internals.ScramMechanism mechanism)
            implements MetadataRecord {
        public RemoveUserScramCredentialRecord {
            requireScramUser(user);
            Objects.requireNonNull(mechanism, "mechanism");
        }
    }

    /** The most iterations a SCRAM credential may have (Kafka's controller refuses more). */
    int MAX_SCRAM_ITERATIONS = 16384;

    private static void requireScramUser(String user) {
        Objects.requireNonNull(user, "user");
        if (user.isEmpty()) {
            throw new IllegalArgumentException("a SCRAM credential's user name is empty");
        }
    }

    /** Changes nothing; a new controller writes it first to learn that its term's entries commit. */
    record NoOpRecord() implements MetadataRecord {
    }
}
