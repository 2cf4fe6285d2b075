package org.tributary.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.log.Batches;
import org.tributary.log.LogManager;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.metadata.TopicImage;
import org.tributary.testing.FakeTime;

/** Logs are deleted only by an explicit removal in the metadata, never because an image does not name them. */
class ReplicaManagerStrayLogTest {
    @TempDir
    Path tmp;
    final FakeTime time = new FakeTime(1_700_000_000_000L);
    final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    final ExecutorService pool = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        timer.shutdownNow();
        pool.shutdownNow();
    }

    private static MetadataImage image(TopicImage... topics) {
        MetadataImage img = MetadataImage.EMPTY;
        for (TopicImage t : topics) {
            img = img.with(t);
        }
        return img;
    }

    private static TopicImage topic(String name, Uuid id, int partitions) {
        return new TopicImage(name, id, java.util.Collections.nCopies(partitions, List.of(1)), Map.of());
    }

    @Test
    void aLogThatTheStartUpImageDoesNotNameIsMovedAsideWithItsRecords() throws Exception {
        TopicPartition kept = new TopicPartition("orders", 0);
        TopicPartition stray = new TopicPartition("payments", 0);
        try (LogManager logs = LogManager.open(tmp.resolve("logs"), Map.of(), time, null)) {
            logs.getOrCreate(kept, logs.brokerDefaults()).appendAsLeader(Batches.batch(3, 10, time.milliseconds()), 0);
            logs.getOrCreate(stray, logs.brokerDefaults()).appendAsLeader(Batches.batch(7, 10, time.milliseconds()), 0);
        }
        try (LogManager logs = LogManager.open(tmp.resolve("logs"), Map.of(), time, null)) {
            ReplicaManager rm = new ReplicaManager(logs, Map.of(), tmp.resolve("ps"), 1, timer, pool);
            rm.accept(image(topic("orders", Uuid.randomUuid(), 1))); // an image that has lost "payments"
            assertTrue(rm.partition(kept).isPresent());
            assertFalse(logs.get(stray).isPresent(), "the stray log is no longer served");
            assertFalse(Files.exists(tmp.resolve("logs/payments-0")));
            Path aside = strayDir(tmp.resolve("logs"), "payments-0.");
            assertTrue(Files.exists(aside.resolve("00000000000000000000.log")), "the records are still on disk");
            assertTrue(Files.size(aside.resolve("00000000000000000000.log")) > 0);
            rm.close();
        }
        try (LogManager logs = LogManager.open(tmp.resolve("logs"), Map.of(), time, null)) {
            assertEquals(1, logs.all().size(), "a -stray directory is never loaded as a log again");
        }
    }

    @Test
    void aLogThatCannotBeOpenedDoesNotStopTheRestOfTheImage() throws Exception {
        try (LogManager logs = LogManager.open(tmp.resolve("logs"), Map.of(), time, null)) {
            Files.writeString(tmp.resolve("logs/broken-0"), "a file where the log directory should be");
            ReplicaManager rm = new ReplicaManager(logs, Map.of(), tmp.resolve("ps"), 1, timer, pool);
            rm.accept(image(topic("broken", Uuid.randomUuid(), 2), topic("orders", Uuid.randomUuid(), 2)));
            assertFalse(rm.partition(new TopicPartition("broken", 0)).isPresent(), "the unusable log is not served");
            assertTrue(rm.partition(new TopicPartition("broken", 1)).isPresent(), "the other partition of that topic is");
            assertTrue(rm.partition(new TopicPartition("orders", 0)).isPresent(), "another topic of the same image is");
            assertTrue(rm.partition(new TopicPartition("orders", 1)).isPresent());
            assertEquals("a file where the log directory should be", Files.readString(tmp.resolve("logs/broken-0")), "left as it was");
            rm.close();
        }
    }

    /** A removed partition's waiting operations are answered, and its watcher sets forgotten (topics come and go). */
    @Test
    void aRemovedPartitionLeavesNoWatcherSetBehind() throws Exception {
        TopicPartition tp = new TopicPartition("orders", 0);
        try (LogManager logs = LogManager.open(tmp.resolve("logs"), Map.of(), time, null)) {
            ReplicaManager rm = new ReplicaManager(logs, Map.of(), tmp.resolve("ps"), 1, timer, pool);
            rm.accept(image(topic("orders", Uuid.randomUuid(), 1), topic("kept", Uuid.randomUuid(), 1)));
            java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();
            DelayedOperation waiting = new DelayedOperation(60_000) {
                @Override
                public boolean tryComplete() {
                    return rm.partition(tp).isEmpty() && forceComplete();
                }

                @Override
                protected void onComplete() {
                    answered.set(true);
                }
            };
            rm.fetchPurgatory().tryCompleteElseWatch(waiting, List.of(tp, new TopicPartition("kept", 0)));
            assertEquals(2, rm.fetchPurgatory().watchedKeys());
            rm.accept(image(topic("kept", Uuid.randomUuid(), 1)));
            assertTrue(answered.get(), "the operation waiting on the removed partition was answered");
            assertEquals(1, rm.fetchPurgatory().watchedKeys(), "only the partition still here keeps its set");
            rm.close();
        }
    }

    @Test
    void anImageOlderThanOneAppliedIsIgnoredSoNothingStepsBack() throws Exception {
        // at start-up the broker listens first, then applies the image of now, which may be older
        // than one the listener delivered meanwhile
        MetadataRecord.RegisterBrokerRecord broker = new MetadataRecord.RegisterBrokerRecord(1, new Uuid(0, 2),
                MetadataRecord.EPOCH_OF_ENTRY, "h1", 9092, 8080, null, true, true);
        MetadataImage older = MetadataDelta.apply(MetadataImage.EMPTY, List.of(broker), 10, 1);
        MetadataImage newer = MetadataDelta.apply(image(topic("orders", Uuid.randomUuid(), 1)), List.of(broker), 20, 1);
        try (LogManager logs = LogManager.open(tmp.resolve("logs"), Map.of(), time, null)) {
            ReplicaManager rm = new ReplicaManager(logs, Map.of(), tmp.resolve("ps"), 1, timer, pool);
            rm.accept(newer);
            rm.accept(older); // names no topic: applied, it would remove "orders" and delete its log
            assertTrue(rm.partition(new TopicPartition("orders", 0)).isPresent(), "the older image was ignored");
            assertTrue(Files.isDirectory(tmp.resolve("logs/orders-0")), "the log is still there");
            rm.accept(MetadataDelta.apply(newer, List.of(broker), 21, 1));
            assertTrue(rm.partition(new TopicPartition("orders", 0)).isPresent(), "a newer image is applied");
            rm.close();
        }
    }

    @Test
    void aTopicRemovedByTheMetadataIsDeleted() throws Exception {
        try (LogManager logs = LogManager.open(tmp.resolve("logs"), Map.of(), time, null)) {
            ReplicaManager rm = new ReplicaManager(logs, Map.of(), tmp.resolve("ps"), 1, timer, pool);
            TopicImage orders = topic("orders", Uuid.randomUuid(), 2);
            MetadataImage withOrders = image(orders);
            rm.accept(withOrders);
            assertTrue(Files.isDirectory(tmp.resolve("logs/orders-1")));
            rm.accept(withOrders.without("orders"));
            assertFalse(Files.exists(tmp.resolve("logs/orders-0")));
            assertFalse(Files.exists(tmp.resolve("logs/orders-1")));
            try (Stream<Path> s = Files.list(tmp.resolve("logs"))) {
                assertEquals(0, s.count(), "an explicit removal leaves nothing aside");
            }
            rm.close();
        }
    }

    @Test
    void aReassignmentCreatesTheLogOfAnAddedReplicaAndDeletesTheLogOfARemovedOne() throws Exception {
        Uuid id = Uuid.randomUuid();
        TopicPartition tp = new TopicPartition("moving", 0);
        List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
        ReplicaManager.Followers followers = new ReplicaManager.Followers() {
            @Override
            public void follow(Partition partition) {
                calls.add("follow " + partition.topicPartition() + " from " + partition.leader());
            }

            @Override
            public void unfollow(TopicPartition t) {
                calls.add("unfollow " + t);
            }
        };
        try (LogManager logs = LogManager.open(tmp.resolve("logs"), Map.of(), time, null)) {
            ReplicaManager rm = new ReplicaManager(logs, Map.of(), tmp.resolve("ps"), 1, timer, pool,
                    new ReplicaManager.Replication(followers, c -> { }, () -> 5L, time));
            PartitionRegistration before = new PartitionRegistration(List.of(2, 3, 4), List.of(2, 3, 4), 2, 0, 0);
            rm.accept(image(TopicImage.of("moving", id, List.of(before), Map.of())));
            assertFalse(rm.replica(tp).isPresent(), "not a replica here");
            // a reassignment from [2,3,4] to [1,3,4] starts: this broker (1) is being added
            PartitionRegistration adding = new PartitionRegistration(List.of(1, 3, 4, 2), List.of(2, 3, 4), 2, 0, 1, List.of(2),
                    List.of(1));
            rm.accept(image(TopicImage.of("moving", id, List.of(adding), Map.of())));
            assertEquals(Partition.Role.FOLLOWER, rm.replica(tp).orElseThrow().role());
            assertTrue(Files.isDirectory(tmp.resolve("logs/moving-0")), "the added replica has its log");
            assertEquals(List.of("follow moving-0 from 2"), calls);
            assertEquals(List.of(1, 3, 4, 2), rm.replica(tp).orElseThrow().replicas());
            // completed: 2 leaves and 3 leads
            rm.accept(image(TopicImage.of("moving", id, List.of(new PartitionRegistration(List.of(1, 3, 4), List.of(3, 4, 1), 3, 1, 2)),
                    Map.of())));
            assertEquals(List.of("follow moving-0 from 2", "follow moving-0 from 3"), calls);
            // a second reassignment, to [3,4], removes this broker: it stops fetching and deletes its copy
            rm.accept(image(TopicImage.of("moving", id, List.of(new PartitionRegistration(List.of(3, 4), List.of(3, 4), 3, 1, 3)),
                    Map.of())));
            assertFalse(rm.replica(tp).isPresent());
            assertEquals("unfollow moving-0", calls.get(calls.size() - 1));
            assertFalse(Files.exists(tmp.resolve("logs/moving-0")), "the removed replica's log is deleted, not moved aside");
            try (Stream<Path> s = Files.list(tmp.resolve("logs"))) {
                assertEquals(0, s.count());
            }
            rm.close();
        }
    }

    private static Path strayDir(Path logs, String prefix) throws Exception {
        try (Stream<Path> s = Files.list(logs)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith("-stray"))
                    .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + "*-stray directory in " + logs));
        }
    }
}
