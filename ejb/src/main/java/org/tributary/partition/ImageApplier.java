package org.tributary.partition;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.tributary.log.LogConfig;
import org.tributary.log.LogManager;
import org.tributary.log.PartitionLog;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.TopicImage;

/**
 * Works out, from each new metadata image, what changes for this broker's partitions and makes it
 * so: opens the partitions newly placed here, hands each changed registration to its partition
 * (becoming leader, follower or offline; followers start or stop copying), pushes topic config
 * changes to the logs, and removes the partitions the image no longer places here (topic deleted,
 * replaced by a new topic of the same name, or reassigned away), deleting their logs. Against the
 * first image it moves aside the logs on disk that no image named. Only the topics an image changed
 * are visited: an unchanged topic is the same object in the next image. After the first image, a
 * replica this broker does not lead, of a topic new to this broker, is only noted;
 * {@link #openDeferred} opens it afterwards, so an image that creates topics is applied once the
 * partitions this broker leads are open.
 *
 * <p>Separate from {@link ReplicaManager} so that the image diffing lives in one place; the manager
 * keeps the partitions map (shared with this class, written only here), the purgatories it wakes
 * for the partitions an image changed, and the replication plumbing.
 *
 * <p>Not thread-safe: every method is called with the owning manager's lock held (images are
 * applied one at a time).
 */
final class ImageApplier {
    /** The manager's logger: the messages (and their codes) stay where operators look for them. */
    private static final Logger LOG = Logger.getLogger(ReplicaManager.class.getName());

    private final LogManager logs;
    private final Map<String, String> brokerDefaults;
    private final Path producerStateDir;
    private final int localBrokerId;
    private final ReplicaManager.Replication replication;
    /** The manager's partitions: read by any thread, changed only here. */
    private final ConcurrentHashMap<TopicPartition, Partition> partitions;
    /** Told of every role change (also WENT_OFFLINE when a led partition is removed). */
    private final BiConsumer<Partition, Partition.Transition> transitions;
    /** The topics as last applied, by name; an unchanged topic is the same object in the next image. */
    private final Map<String, TopicImage> appliedTopics = new HashMap<>();
    /** The partitions of {@link #partitions} by topic name, so that applying a topic costs its own partitions only. */
    private final Map<String, Set<TopicPartition>> localByTopic = new HashMap<>();
    /** Partitions looked at while applying images (for tests: the work of an image follows what it changed). */
    private final AtomicLong partitionsVisited = new AtomicLong();
    /** New follower replicas not opened yet, with their topic's id, in the order the images named them. */
    private final Map<TopicPartition, Uuid> deferred = new LinkedHashMap<>();
    private boolean strayLogsChecked;

    ImageApplier(LogManager logs, Map<String, String> brokerDefaults, Path producerStateDir, int localBrokerId,
            ReplicaManager.Replication replication, ConcurrentHashMap<TopicPartition, Partition> partitions,
            BiConsumer<Partition, Partition.Transition> transitions) {
        this.logs = logs;
        this.brokerDefaults = brokerDefaults;
        this.producerStateDir = producerStateDir;
        this.localBrokerId = localBrokerId;
        this.replication = replication;
        this.partitions = partitions;
        this.transitions = transitions;
    }

    /** Makes the local partitions match {@code image}; returns the partitions it changed (for waiting operations to re-check). */
    Set<TopicPartition> apply(MetadataImage image) {
        Set<String> present = new HashSet<>();
        Set<TopicPartition> changed = new HashSet<>();
        for (TopicImage topic : image.topics()) {
            present.add(topic.name());
            TopicImage previous = appliedTopics.get(topic.name());
            if (previous == topic) {
                continue; // unchanged: a delta copies only the topics it changes
            }
            applyTopic(topic, previous, changed);
            appliedTopics.put(topic.name(), topic);
        }
        if (present.size() < appliedTopics.size()) {
            for (String name : Set.copyOf(appliedTopics.keySet())) {
                if (!present.contains(name)) { // named by an earlier image, removed by this one
                    appliedTopics.remove(name);
                    removeAll(name, Set.of(), changed);
                }
            }
        }
        return changed;
    }

    /** Once, against the first image (start-up): later logs are only made here. */
    void moveAsideStrayLogsOnce() {
        if (!strayLogsChecked) {
            strayLogsChecked = true;
            moveAsideStrayLogs(Set.copyOf(partitions.keySet()));
        }
    }

    /** Partitions looked at while applying images since this manager started (tests: work per image). */
    long partitionsVisited() {
        return partitionsVisited.get();
    }

    private void applyTopic(TopicImage topic, TopicImage previous, Set<TopicPartition> changed) {
        boolean configChanged = previous == null || !topic.configs().equals(previous.configs());
        LogConfig config = LogConfig.from(brokerDefaults, topic.configs());
        Set<TopicPartition> wanted = new HashSet<>();
        for (int p = 0; p < topic.partitionCount(); p++) {
            partitionsVisited.incrementAndGet();
            if (!topic.replicas(p).contains(localBrokerId)) {
                continue;
            }
            TopicPartition tp = new TopicPartition(topic.name(), p);
            wanted.add(tp);
            // only a topic new to this broker (CreateTopics): an added replica of a known topic (a
            // reassignment) is opened with its image
            applyPartition(topic, previous, tp, config, configChanged, strayLogsChecked && previous == null, changed);
        }
        removeAll(topic.name(), wanted, changed);
    }

    /**
     * Makes the local replica {@code tp} of {@code topic} match its registration: opens it when new
     * (unless {@code deferFollower}: a new replica this broker does not lead is only noted, see
     * {@link #openDeferred}), takes the registration, starts or stops following.
     */
    private void applyPartition(TopicImage topic, TopicImage previous, TopicPartition tp, LogConfig config, boolean configChanged,
            boolean deferFollower, Set<TopicPartition> changed) {
        int p = tp.partition();
        Partition existing = partitions.get(tp);
        if (existing != null && !existing.topicId().equals(topic.id())) {
            remove(tp, changed); // same name, new topic: the old one was deleted
            existing = null;
        }
        if (existing == null) {
            if (deferFollower && topic.partition(p).leader() != localBrokerId) {
                deferred.put(tp, topic.id());
                return;
            }
            deferred.remove(tp);
            try {
                existing = open(tp, topic, topic.replicas(p), config);
            } catch (UncheckedIOException e) {
                // one unusable log directory must not stop the rest of the image from applying
                LOG.warning("TRIB-PART-008 could not open the log of " + tp + ", so this broker does not serve it: "
                        + e.getCause() + "; check the log directory and restart the broker");
                return;
            }
        } else if (configChanged) {
            existing.log().updateConfig(config);
        }
        Partition.Transition t;
        try {
            t = existing.update(topic.partition(p), replication.time().milliseconds());
        } catch (IOException e) {
            replication.followers().unfollow(tp);
            LOG.warning("TRIB-PART-006 could not take the new state of " + tp + ", so this broker serves it no longer: " + e
                    + "; check its log directory (it is taken again with the partition's next metadata change or a restart)");
            return;
        }
        switch (t) {
            case BECAME_FOLLOWER -> replication.followers().follow(existing);
            case BECAME_LEADER, WENT_OFFLINE -> replication.followers().unfollow(tp);
            default -> {
            }
        }
        if (t != Partition.Transition.NONE) {
            transitions.accept(existing, t);
        }
        boolean sameRegistration = previous != null && previous.id().equals(topic.id()) && p < previous.partitionCount()
                && previous.partition(p).equals(topic.partition(p));
        if (t != Partition.Transition.NONE || !sameRegistration) {
            changed.add(tp);
        }
    }

    /** Whether new follower replicas wait to be opened by {@link #openDeferred}. */
    boolean hasDeferred() {
        return !deferred.isEmpty();
    }

    /**
     * Opens up to {@code max} of the follower replicas of new topics that images applied since
     * start-up placed here, as the last applied image has them (one deleted, moved away or already opened since is
     * skipped), and starts following them; returns whether more wait. Creating a topic of hundreds
     * of partitions with three replicas makes each broker the follower of two thirds of them:
     * opening those logs is left out of {@link #apply} so that the image is served (and the change
     * answered) once the partitions this broker leads are open.
     */
    boolean openDeferred(int max, Set<TopicPartition> changed) {
        java.util.Iterator<Map.Entry<TopicPartition, Uuid>> it = deferred.entrySet().iterator();
        Map<TopicImage, LogConfig> configs = new java.util.IdentityHashMap<>(); // a topic's partitions come together: its config once
        for (int n = 0; n < max && it.hasNext(); n++) {
            Map.Entry<TopicPartition, Uuid> e = it.next();
            it.remove();
            TopicPartition tp = e.getKey();
            TopicImage topic = appliedTopics.get(tp.topic());
            if (topic == null || !topic.id().equals(e.getValue()) || tp.partition() >= topic.partitionCount()
                    || !topic.replicas(tp.partition()).contains(localBrokerId) || partitions.containsKey(tp)) {
                continue;
            }
            LogConfig config = configs.computeIfAbsent(topic, t -> LogConfig.from(brokerDefaults, t.configs()));
            applyPartition(topic, null, tp, config, false, false, changed);
        }
        return !deferred.isEmpty();
    }

    /** Removes this broker's partitions of {@code topic} other than {@code keep} (the metadata no longer places them here). */
    private void removeAll(String topic, Set<TopicPartition> keep, Set<TopicPartition> changed) {
        Set<TopicPartition> local = localByTopic.get(topic);
        if (local == null) {
            return;
        }
        for (TopicPartition tp : List.copyOf(local)) {
            partitionsVisited.incrementAndGet();
            if (!keep.contains(tp)) {
                remove(tp, changed);
            }
        }
    }

    private Partition open(TopicPartition tp, TopicImage topic, List<Integer> replicas, LogConfig config) {
        try {
            PartitionLog log = logs.getOrCreate(tp, config);
            // the single-file layout's snapshot (upgrade only): snapshots now live in the log's directory, one per segment
            Path snapshot = producerStateDir.resolve(tp.topic() + "-" + tp.partition() + "-" + topic.id() + ".snapshot");
            Partition partition = Partition.open(tp, topic.id(), log, snapshot, localBrokerId, replicas);
            partitions.put(tp, partition);
            localByTopic.computeIfAbsent(tp.topic(), k -> new HashSet<>()).add(tp);
            return partition;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open log of " + tp + ": " + e.getMessage(), e);
        }
    }

    private void remove(TopicPartition tp, Set<TopicPartition> changed) {
        replication.followers().unfollow(tp);
        Partition p = partitions.remove(tp);
        Set<TopicPartition> local = localByTopic.get(tp.topic());
        if (local != null && local.remove(tp) && local.isEmpty()) {
            localByTopic.remove(tp.topic());
        }
        if (p != null && p.isLeader()) {
            transitions.accept(p, Partition.Transition.WENT_OFFLINE);
        }
        try {
            if (p != null) {
                Files.deleteIfExists(p.legacySnapshotFile());
            }
            logs.delete(tp);
        } catch (IOException e) {
            LOG.warning("TRIB-PART-001 could not delete the log of " + tp + ": " + e.getMessage());
        }
        changed.add(tp);
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
            partitions.values().forEach(p -> live.add(p.legacySnapshotFile().getFileName().toString()));
            for (Path f : files.toList()) {
                if (!live.contains(f.getFileName().toString())) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            LOG.warning("TRIB-PART-002 could not clean " + producerStateDir + ": " + e.getMessage());
        }
    }
}
