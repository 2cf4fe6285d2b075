package org.tributary.ee;

import jakarta.ejb.Local;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tributary.metrics.MetricsSnapshot;

/** The local business interface of this node's broker, for the web module (admin API, health). */
@Local
public interface BrokerService {

    /** True once the broker has recovered its data and registered in the cluster. */
    boolean isReady();

    /** Why the broker is not running, when start-up failed. */
    Optional<String> failure();

    /** This broker's id, or -1 before it is known. */
    int brokerId();

    /** The cluster id, or null before it is known. */
    String clusterId();

    /** The active controller's broker id, or -1. */
    int controllerId();

    /** Every broker the cluster knows, with whether it is alive, ordered by id. */
    List<BrokerView> brokers();

    // ---- topics and partitions (reads from the engine's views; changes through the Kafka protocol)

    /** Topics ordered by name; empty before the broker is ready. */
    List<TopicInfo> topics();

    Optional<TopicInfo> topic(String name);

    /** Creates a topic; {@link AdminException} when invalid or it exists. */
    void createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs);

    void deleteTopic(String name);

    /** Raises the topic's partition count to {@code totalCount}. */
    void addPartitions(String topic, int totalCount);

    /** Every configuration value of the topic, with its source. */
    List<ConfigEntryInfo> topicConfigs(String topic);

    /** Sets {@code set} and returns the keys in {@code reset} to their defaults. */
    void alterTopicConfigs(String topic, Map<String, String> set, List<String> reset);

    // ---- partition reassignments (KIP-455), through the controller as AlterPartitionReassignments does

    /**
     * Starts moving a partition to {@code replicas} (the first is the preferred leader). Returns the
     * reassignment in progress, or empty when the partition already has those replicas.
     * {@link AdminException}: INVALID (field {@code replicas}) for an empty list, a broker named twice
     * or not registered; NOT_FOUND for an unknown topic or partition.
     */
    Optional<ReassignmentInfo> reassignPartition(String topic, int partition, List<Integer> replicas);

    /** Cancels a partition's reassignment in progress; {@link AdminException} NOT_FOUND when there is none. */
    void cancelReassignment(String topic, int partition);

    /** The reassignments in progress in the cluster, by topic and partition. */
    List<ReassignmentInfo> reassignments();

    // ---- records

    /** Up to {@code limit} records from {@code offset}, or from the first at or after {@code timestamp} when not null. */
    List<RecordInfo> browse(String topic, int partition, long offset, Long timestamp, int limit);

    /** Produces one record ({@code partition} null: the default partitioner chooses). */
    ProducedRecord produce(String topic, Integer partition, byte[] key, byte[] value, List<RecordInfo.Header> headers);

    // ---- metrics

    /** The broker's counters now: requests, errors and latency per API, bytes and messages in and out per topic. */
    MetricsSnapshot metrics();

    // ---- consumer groups

    /** Every group this broker coordinates, with lag. */
    List<GroupInfo> groups();

    Optional<GroupInfo> group(String groupId);

    /** Commits new offsets for the group; returns the new offset per "topic-partition". */
    Map<String, Long> resetGroupOffsets(String groupId, OffsetReset how);

    void deleteGroup(String groupId);

    // ---- transactions

    /**
     * The open transactions of the whole cluster (Ongoing, PrepareCommit, PrepareAbort), oldest
     * first; with {@code topic} (not null), those that wrote to that topic ({@link AdminException}
     * NOT_FOUND when it does not exist).
     */
    List<TransactionInfo> openTransactions(String topic);
}
