package org.tributary.partition;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.tributary.log.LogConfig;
import org.tributary.log.LogManager;
import org.tributary.log.PartitionLog;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.TopicImage;

/**
 * The partitions this broker holds, kept in step with the metadata: {@link #accept} applies each
 * new image (creates logs for new partitions, deletes removed topics, pushes config changes).
 * Owns the purgatories for long-poll fetches and acks=all produces.
 *
 * <p>A log is deleted only when the metadata removes it explicitly: its partition was in an image
 * this manager applied and is gone from the next one (topic deleted, or replaced by a new topic of
 * the same name). A log on disk that no applied image has named (found at start-up, e.g. after the
 * metadata was lost or belongs to another cluster) is moved aside as a {@code -stray} directory and
 * logged, never deleted: an empty or stale image must not wipe a broker.
 *
 * <p>Thread-safe; images are applied one at a time.
 */
public final class ReplicaManager implements Consumer<MetadataImage>, Closeable {
    private static final Logger LOG = Logger.getLogger(ReplicaManager.class.getName());

    private final LogManager logs;
    private final Map<String, String> brokerDefaults;
    private final Path producerStateDir;
    private final int localBrokerId;
    private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    /** The topics as last applied, by name; an unchanged topic is the same object in the next image. */
    private final Map<String, TopicImage> appliedTopics = new java.util.HashMap<>();
    private boolean strayLogsChecked;
    private final Purgatory fetchPurgatory;
    private final Purgatory producePurgatory;

    public ReplicaManager(LogManager logs, Map<String, String> brokerDefaults, Path producerStateDir, int localBrokerId,
            ScheduledExecutorService timer, ExecutorService completionPool) throws IOException {
        this.logs = logs;
        this.brokerDefaults = Map.copyOf(brokerDefaults);
        this.producerStateDir = producerStateDir;
        this.localBrokerId = localBrokerId;
        Files.createDirectories(producerStateDir);
        this.fetchPurgatory = new Purgatory("fetch", timer, completionPool);
        this.producePurgatory = new Purgatory("produce", timer, completionPool);
    }

    /** The partition if this broker leads it: the only ones clients may produce to or fetch from. */
    public Optional<Partition> partition(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp)).filter(Partition::isLeader);
    }

    /** This broker's replica of the partition, whatever its role. */
    public Optional<Partition> replica(TopicPartition tp) {
        return Optional.ofNullable(partitions.get(tp));
    }

    public Map<TopicPartition, Partition> partitions() {
        return Map.copyOf(partitions);
    }

    public Purgatory fetchPurgatory() {
        return fetchPurgatory;
    }

    public Purgatory producePurgatory() {
        return producePurgatory;
    }

    public Map<String, String> brokerDefaults() {
        return brokerDefaults;
    }

    /** Called after an append: wakes fetches and produces waiting on {@code tp}. */
    public void onAppend(TopicPartition tp) {
        producePurgatory.checkAndComplete(tp);
        fetchPurgatory.checkAndComplete(tp);
    }

    /** Makes the local partitions match {@code image}. Also used once at start-up (recovery). */
    @Override
    public synchronized void accept(MetadataImage image) {
        Set<String> present = new HashSet<>();
        for (TopicImage topic : image.topics()) {
            present.add(topic.name());
            TopicImage previous = appliedTopics.get(topic.name());
            if (previous == topic) {
                continue; // unchanged: a delta copies only the topics it changes
            }
            applyTopic(topic, previous);
            appliedTopics.put(topic.name(), topic);
        }
        for (String name : Set.copyOf(appliedTopics.keySet())) {
            if (!present.contains(name)) { // named by an earlier image, removed by this one
                appliedTopics.remove(name);
                removeAll(name, Set.of());
            }
        }
        if (!strayLogsChecked) { // once, against the first image (start-up): later logs are only made here
            strayLogsChecked = true;
            moveAsideStrayLogs(Set.copyOf(partitions.keySet()));
        }
    }

    private void applyTopic(TopicImage topic, TopicImage previous) {
        boolean configChanged = previous == null || !topic.configs().equals(previous.configs());
        LogConfig config = LogConfig.from(brokerDefaults, topic.configs());
        Set<TopicPartition> wanted = new HashSet<>();
        for (int p = 0; p < topic.partitionCount(); p++) {
            List<Integer> replicas = topic.replicas(p);
            if (!replicas.contains(localBrokerId)) {
                continue;
            }
            TopicPartition tp = new TopicPartition(topic.name(), p);
            wanted.add(tp);
            Partition existing = partitions.get(tp);
            if (existing != null && !existing.topicId().equals(topic.id())) {
                remove(tp); // same name, new topic: the old one was deleted
                existing = null;
            }
            if (existing == null) {
                existing = open(tp, topic, replicas, config);
            } else if (configChanged) {
                existing.log().updateConfig(config);
            }
            boolean wasLeader = existing.isLeader();
            existing.update(topic.partition(p), localBrokerId);
            if (wasLeader && !existing.isLeader()) { // waiting produces and fetches get NOT_LEADER_OR_FOLLOWER
                fetchPurgatory.checkAndComplete(tp);
                producePurgatory.checkAndComplete(tp);
            }
        }
        removeAll(topic.name(), wanted);
    }

    /** Removes this broker's partitions of {@code topic} other than {@code keep} (the metadata no longer places them here). */
    private void removeAll(String topic, Set<TopicPartition> keep) {
        for (TopicPartition tp : Set.copyOf(partitions.keySet())) {
            if (tp.topic().equals(topic) && !keep.contains(tp)) {
                remove(tp);
            }
        }
    }

    private Partition open(TopicPartition tp, TopicImage topic, List<Integer> replicas, LogConfig config) {
        try {
            PartitionLog log = logs.getOrCreate(tp, config);
            Path snapshot = producerStateDir.resolve(tp.topic() + "-" + tp.partition() + "-" + topic.id() + ".snapshot");
            Partition partition = new Partition(tp, topic.id(), log, snapshot, 0, replicas);
            partition.recoverProducerState();
            partitions.put(tp, partition);
            return partition;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot open log of " + tp + ": " + e.getMessage(), e);
        }
    }

    private void remove(TopicPartition tp) {
        Partition p = partitions.remove(tp);
        try {
            if (p != null) {
                Files.deleteIfExists(p.snapshotFile());
            }
            logs.delete(tp);
        } catch (IOException e) {
            LOG.warning("TRIB-PART-001 could not delete the log of " + tp + ": " + e.getMessage());
        }
        fetchPurgatory.checkAndComplete(tp);
        producePurgatory.checkAndComplete(tp);
    }

    /** Logs on disk that the metadata does not name for this broker: renamed aside, never deleted. */
    private void moveAsideStrayLogs(Set<TopicPartition> wanted) {
        for (TopicPartition tp : Set.copyOf(logs.all().keySet())) {
            if (!wanted.contains(tp)) {
                try {
                    logs.moveAside(tp).ifPresent(to -> LOG.warning("TRIB-PART-004 The log of " + tp
                            + " is not in the cluster metadata for this broker; moved aside to " + to
                            + " (not deleted). Move it back only if the metadata is wrong."));
                } catch (IOException e) {
                    LOG.warning("TRIB-PART-005 could not move aside the stray log of " + tp + ": " + e.getMessage());
                }
            }
        }
        try (Stream<Path> files = Files.list(producerStateDir)) {
            Set<String> live = new HashSet<>();
            partitions.values().forEach(p -> live.add(p.snapshotFile().getFileName().toString()));
            for (Path f : files.toList()) {
                if (!live.contains(f.getFileName().toString())) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            LOG.warning("TRIB-PART-002 could not clean " + producerStateDir + ": " + e.getMessage());
        }
    }

    /** Expires idle producers ({@code producer.id.expiration.ms}) in every partition. */
    public void expireProducers(long nowMs, long expirationMs) {
        for (Partition p : partitions.values()) {
            p.expireProducers(nowMs, expirationMs);
        }
    }

    /** Snapshots producer state of every partition that changed (periodically and at close). */
    public void snapshotProducerStates() {
        for (Partition p : partitions.values()) {
            try {
                p.snapshotProducerState();
            } catch (IOException e) {
                LOG.warning("TRIB-PART-003 could not snapshot producer state of " + p.topicPartition() + ": " + e.getMessage());
            }
        }
    }

    /** Completes waiting operations and snapshots producer state; the logs are closed by their owner. */
    @Override
    public void close() {
        fetchPurgatory.close();
        producePurgatory.close();
        snapshotProducerStates();
    }
}
