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
 * <p>Thread-safe; images are applied one at a time.
 */
public final class ReplicaManager implements Consumer<MetadataImage>, Closeable {
    private static final Logger LOG = Logger.getLogger(ReplicaManager.class.getName());

    private final LogManager logs;
    private final Map<String, String> brokerDefaults;
    private final Path producerStateDir;
    private final int localBrokerId;
    private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
    private final Map<String, Map<String, String>> appliedConfigs = new ConcurrentHashMap<>();
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

    public Optional<Partition> partition(TopicPartition tp) {
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
        Set<TopicPartition> wanted = new HashSet<>();
        for (TopicImage topic : image.topics()) {
            LogConfig config = LogConfig.from(brokerDefaults, topic.configs());
            boolean configChanged = !topic.configs().equals(appliedConfigs.get(topic.name()));
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
                    open(tp, topic, replicas, config);
                } else if (configChanged) {
                    existing.log().updateConfig(config);
                }
            }
            appliedConfigs.put(topic.name(), topic.configs());
        }
        for (TopicPartition tp : Set.copyOf(partitions.keySet())) {
            if (!wanted.contains(tp)) {
                remove(tp);
            }
        }
        appliedConfigs.keySet().removeIf(name -> image.topic(name).isEmpty());
        deleteOrphanLogs(wanted);
    }

    private void open(TopicPartition tp, TopicImage topic, List<Integer> replicas, LogConfig config) {
        try {
            PartitionLog log = logs.getOrCreate(tp, config);
            Path snapshot = producerStateDir.resolve(tp.topic() + "-" + tp.partition() + "-" + topic.id() + ".snapshot");
            Partition partition = new Partition(tp, topic.id(), log, snapshot, 0, replicas);
            partition.recoverProducerState();
            partitions.put(tp, partition);
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

    private void deleteOrphanLogs(Set<TopicPartition> wanted) {
        for (TopicPartition tp : Set.copyOf(logs.all().keySet())) {
            if (!wanted.contains(tp)) {
                try {
                    logs.delete(tp);
                } catch (IOException e) {
                    LOG.warning("TRIB-PART-001 could not delete the log of " + tp + ": " + e.getMessage());
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
