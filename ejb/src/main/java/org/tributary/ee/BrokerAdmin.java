package org.tributary.ee;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.tributary.config.Listener;
import org.tributary.group.GroupDescription;
import org.tributary.group.PartitionLag;
import org.tributary.server.BrokerView.PartitionSummary;
import org.tributary.server.BrokerView.TopicSummary;
import org.tributary.server.KafkaServer;

/**
 * The admin operations of one running broker: reads come from the engine's read-only views
 * (topics, partitions, groups, lag) or kafka-clients against the broker's own listener (configs,
 * records, offsets, transactions); changes go in-process through the broker's own request
 * handlers as the console user ({@link ConsoleChanges}), so they take the same checks and errors as
 * any Kafka tool and are audited once, as that user.
 */
final class BrokerAdmin implements AutoCloseable {
    private final KafkaServer server;
    private final KafkaAdminOps ops;
    private final ConsoleChanges changes;

    BrokerAdmin(KafkaServer server, String bootstrap) {
        this(server, bootstrap, java.util.Map.of());
    }

    /** {@code security}: how to connect to that listener (kafka-clients' security.protocol and ssl.* settings). */
    BrokerAdmin(KafkaServer server, String bootstrap, Map<String, Object> security) {
        this.server = server;
        this.ops = new KafkaAdminOps(bootstrap, security);
        this.changes = new ConsoleChanges(server);
    }

    /**
     * Where this node's admin clients connect: its own bound inter-broker listener, on loopback when
     * that is bound to every interface, so admin operations do not depend on the advertised
     * address (a name or NAT address the node itself may not reach).
     */
    static String localBootstrap(Listener bound, int boundPort) {
        String host = switch (bound.host()) {
            case "", "0.0.0.0" -> "127.0.0.1";
            case "::", "0:0:0:0:0:0:0:0" -> "::1";
            default -> bound.host();
        };
        return hostPort(host, boundPort);
    }

    private static String hostPort(String host, int port) {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    List<TopicInfo> topics() {
        return server.topics().stream().map(BrokerAdmin::topicInfo).toList();
    }

    Optional<TopicInfo> topic(String name) {
        return server.topic(name).map(BrokerAdmin::topicInfo);
    }

    private static TopicInfo topicInfo(TopicSummary t) {
        List<PartitionInfo> parts = new ArrayList<>();
        int under = 0;
        int offline = 0;
        long size = 0;
        long messages = 0;
        for (PartitionSummary p : t.partitions()) {
            PartitionInfo pi = new PartitionInfo(p.partition(), p.leader(), p.leaderEpoch(), p.replicas(), p.isr(),
                    p.logStartOffset(), p.logEndOffset(), p.highWatermark(), p.sizeInBytes(), p.adding(), p.removing());
            parts.add(pi);
            under += pi.underReplicated() ? 1 : 0;
            offline += pi.offline() ? 1 : 0;
            size += Math.max(0, p.sizeInBytes());
            messages += Math.max(0, p.logEndOffset());
        }
        return new TopicInfo(t.name(), t.topicId(), parts.size(), t.replicationFactor(), under, offline, size, messages,
                t.configs(), parts);
    }

    TopicInfo requireTopic(String name) {
        return topic(name).orElseThrow(() -> new AdminException(AdminException.Kind.NOT_FOUND, "topic",
                "topic '" + name + "' does not exist"));
    }

    void createTopic(String caller, String name, int partitions, short rf, Map<String, String> configs) {
        changes.createTopic(caller, name, partitions, rf, configs);
    }

    void deleteTopic(String caller, String name) {
        requireTopic(name);
        changes.deleteTopic(caller, name);
    }

    void addPartitions(String caller, String topic, int total) {
        TopicInfo t = requireTopic(topic);
        if (total <= t.partitionCount()) {
            throw new AdminException(AdminException.Kind.INVALID, "partitions", "topic '" + topic + "' has "
                    + t.partitionCount() + " partitions; the new count must be larger, not " + total);
        }
        changes.addPartitions(caller, topic, total);
    }

    List<ConfigEntryInfo> topicConfigs(String topic) {
        requireTopic(topic);
        return ops.describeConfigs(topic);
    }

    void alterTopicConfigs(String caller, String topic, Map<String, String> set, List<String> reset) {
        requireTopic(topic);
        changes.alterConfigs(caller, topic, set, reset);
    }

    List<RecordInfo> browse(String topic, int partition, long offset, Long timestamp, int limit) {
        requirePartition(topic, partition);
        return ops.browse(topic, partition, offset, timestamp, limit);
    }

    ProducedRecord produce(String topic, Integer partition, byte[] key, byte[] value, List<RecordInfo.Header> headers) {
        if (partition != null) {
            requirePartition(topic, partition);
        } else {
            requireTopic(topic);
        }
        return ops.produce(topic, partition, key, value, headers);
    }

    private void requirePartition(String topic, int partition) {
        TopicInfo t = requireTopic(topic);
        if (partition < 0 || partition >= t.partitionCount()) {
            throw new AdminException(AdminException.Kind.NOT_FOUND, "partition", "topic '" + topic + "' has no partition "
                    + partition + " (it has " + t.partitionCount() + ")");
        }
    }

    /**
     * Starts moving {@code partition} to {@code replicas} (AlterPartitionReassignments through the
     * controller, as {@code kafka-reassign-partitions --execute}); the controller checks the list
     * (not empty, registered brokers, each once). Returns the reassignment as the controller lists
     * it, or empty when the partition already has those replicas (complete at once).
     */
    Optional<ReassignmentInfo> reassign(String caller, String topic, int partition, List<Integer> replicas) {
        if (replicas == null || replicas.stream().anyMatch(java.util.Objects::isNull)) {
            throw new AdminException(AdminException.Kind.INVALID, "replicas", "'replicas' must be a list of broker ids");
        }
        requirePartition(topic, partition);
        TopicPartition tp = new TopicPartition(topic, partition);
        changes.alterReassignment(caller, tp, replicas);
        return changes.listReassignments(caller, tp).stream().findFirst();
    }

    /** Cancels {@code partition}'s reassignment in progress: back to its original replicas; NOT_FOUND when none is in progress. */
    void cancelReassignment(String caller, String topic, int partition) {
        requirePartition(topic, partition);
        changes.alterReassignment(caller, new TopicPartition(topic, partition), null);
    }

    /**
     * Every reassignment in progress in the cluster, by topic and partition, from this broker's
     * committed metadata (the partitions' adding and removing replicas, which is what the controller
     * lists too): a read that answers at once, also while no controller is reachable, and costs the
     * controller nothing when a console refreshes it every few seconds.
     */
    List<ReassignmentInfo> reassignments(String caller) {
        List<ReassignmentInfo> out = new java.util.ArrayList<>();
        for (org.tributary.server.BrokerView.TopicSummary t : server.reassigning()) {
            for (org.tributary.server.BrokerView.PartitionSummary p : t.partitions()) {
                out.add(new ReassignmentInfo(t.name(), p.partition(), List.copyOf(p.replicas()), List.copyOf(p.adding()),
                        List.copyOf(p.removing())));
            }
        }
        out.sort(java.util.Comparator.comparing(ReassignmentInfo::topic).thenComparingInt(ReassignmentInfo::partition));
        return out;
    }

    List<GroupInfo> groups() {
        return server.groups().stream().map(g -> groupInfo(g, false)).toList();
    }

    Optional<GroupInfo> group(String groupId) {
        return server.describeGroup(groupId).map(g -> groupInfo(g, true));
    }

    private GroupInfo groupInfo(GroupDescription g, boolean withAssignments) {
        List<GroupInfo.MemberInfo> members;
        if (withAssignments && !g.members().isEmpty()) {
            members = ops.members(g.groupId());
        } else {
            members = g.members().stream().map(m -> new GroupInfo.MemberInfo(m.memberId(), m.groupInstanceId(), m.clientId(),
                    m.clientHost(), List.of())).toList();
        }
        List<GroupInfo.LagInfo> lag = new ArrayList<>();
        long total = 0;
        for (PartitionLag l : server.lag(g.groupId())) {
            lag.add(new GroupInfo.LagInfo(l.partition().topic(), l.partition().partition(), l.committedOffset(), l.logEndOffset(),
                    l.lag()));
            total += Math.max(0, l.lag());
        }
        lag.sort((a, b) -> a.topic().equals(b.topic()) ? Integer.compare(a.partition(), b.partition()) : a.topic().compareTo(b.topic()));
        return new GroupInfo(g.groupId(), g.state().kafkaName(), g.protocolType(), g.protocolName(), g.generationId(), members,
                lag, total);
    }

    Map<String, Long> resetGroupOffsets(String caller, String groupId, OffsetReset how) {
        GroupInfo g = group(groupId).orElseThrow(() -> new AdminException(AdminException.Kind.NOT_FOUND, "groupId",
                "consumer group '" + groupId + "' does not exist"));
        if (!g.members().isEmpty()) {
            throw new AdminException(AdminException.Kind.CONFLICT, "groupId", "consumer group '" + groupId + "' has "
                    + g.members().size() + " active member(s); stop its consumers before resetting offsets");
        }
        Set<TopicPartition> parts = new LinkedHashSet<>();
        if (how.topic() != null) {
            TopicInfo t = requireTopic(how.topic());
            if (how.partition() != null) {
                requirePartition(how.topic(), how.partition());
                parts.add(new TopicPartition(how.topic(), how.partition()));
            } else {
                t.partitions().forEach(p -> parts.add(new TopicPartition(t.name(), p.partition())));
            }
        } else {
            // every committed partition of a topic that still exists
            g.lag().stream().filter(l -> server.topic(l.topic()).map(t -> l.partition() < t.partitions().size()).orElse(false))
                    .forEach(l -> parts.add(new TopicPartition(l.topic(), l.partition())));
        }
        if (parts.isEmpty()) {
            throw new AdminException(AdminException.Kind.INVALID, "topic", "consumer group '" + groupId
                    + "' has no committed offsets; name the topic to reset");
        }
        Map<String, Long> out = new LinkedHashMap<>();
        Map<TopicPartition, Long> targets = ops.resetTargets(parts, how);
        changes.commitOffsets(caller, groupId, targets);
        targets.forEach((tp, o) -> out.put(tp.toString(), o));
        return out;
    }

    void deleteGroup(String caller, String groupId) {
        if (server.describeGroup(groupId).isEmpty()) {
            throw new AdminException(AdminException.Kind.NOT_FOUND, "groupId", "consumer group '" + groupId + "' does not exist");
        }
        changes.deleteGroup(caller, groupId);
    }

    /** The cluster's open transactions; with {@code topic}, those that wrote to it (which must exist). */
    List<TransactionInfo> openTransactions(String topic) {
        if (topic != null) {
            requireTopic(topic);
        }
        return ops.openTransactions().stream().filter(t -> topic == null || t.partitions().containsKey(topic)).toList();
    }

    @Override
    public void close() {
        ops.close();
    }
}
