package org.tributary.jca.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The redelivery and ordering state machine, with a fake clock. */
class DeliveryEngineTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private final AtomicLong now = new AtomicLong(1_000);
    private final List<String> delivered = new ArrayList<>();
    private final List<String> deadLetters = new ArrayList<>();
    private final Set<String> failing = new HashSet<>();
    private boolean dltDown;

    private final DeliveryEngine engine = new DeliveryEngine(3, 100, now::get,
            (r, attempt) -> {
                delivered.add(r.partition() + ":" + r.offset() + "#" + attempt);
                if (failing.contains(r.partition() + ":" + r.offset())) {
                    throw new IllegalStateException("boom " + r.offset());
                }
            },
            (r, attempts, cause) -> {
                if (dltDown) {
                    throw new RuntimeException("dlt down");
                }
                deadLetters.add(r.partition() + ":" + r.offset() + " after " + attempts + " " + cause.getMessage());
            });

    private static List<ConsumerRecord<byte[], byte[]>> records(TopicPartition tp, long from, int n) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ConsumerRecord<>(tp.topic(), tp.partition(), from + i, null, new byte[] {(byte) i}));
        }
        return out;
    }

    @Test
    void deliversInOrderAndCommitsTheNextOffset() {
        engine.add(P0, records(P0, 10, 3));
        engine.deliverReady(() -> false);
        assertEquals(List.of("0:10#1", "0:11#1", "0:12#1"), delivered);
        assertEquals(Map.of(P0, new OffsetAndMetadata(13)), engine.takeCommits());
        assertEquals(Map.of(), engine.takeCommits());
        assertTrue(engine.backlogged().isEmpty());
    }

    @Test
    void aFailingRecordBlocksItsPartitionOnlyUntilBackoffThenGoesToTheDeadLetterTopic() {
        failing.add("0:1");
        engine.add(P0, records(P0, 0, 3));
        engine.add(P1, records(P1, 0, 2));
        engine.deliverReady(() -> false);
        assertEquals(List.of("0:0#1", "0:1#1", "1:0#1", "1:1#1"), delivered, "partition 1 is not held up by partition 0");
        assertEquals(Map.of(P0, new OffsetAndMetadata(1), P1, new OffsetAndMetadata(2)), engine.takeCommits());
        assertEquals(Set.of(P0), engine.backlogged());
        assertEquals(1_100, engine.nextRetryAt());

        delivered.clear();
        now.set(1_099);
        engine.deliverReady(() -> false);
        assertEquals(List.of(), delivered, "nothing before the back-off ends");

        now.set(1_100);
        engine.deliverReady(() -> false);
        assertEquals(List.of("0:1#2"), delivered, "redelivered, and record 2 does not run ahead");
        assertEquals(Map.of(), engine.takeCommits());

        now.set(1_200);
        engine.deliverReady(() -> false);
        assertEquals(List.of("0:1#2", "0:1#3"), delivered);
        assertEquals(List.of(), deadLetters, "the dead letter waits one back-off");
        assertEquals(Map.of(), engine.takeCommits());

        now.set(1_300);
        engine.deliverReady(() -> false);
        assertEquals(List.of("0:1#2", "0:1#3", "0:2#1"), delivered);
        assertEquals(List.of("0:1 after 3 boom 1"), deadLetters);
        assertEquals(Map.of(P0, new OffsetAndMetadata(3)), engine.takeCommits());
        assertEquals(Long.MAX_VALUE, engine.nextRetryAt());
    }

    @Test
    void aFailedDeadLetterWriteIsRetriedWithoutRedeliveringToTheListener() {
        failing.add("0:0");
        dltDown = true;
        engine.add(P0, records(P0, 0, 2));
        for (int i = 0; i < 3; i++) {
            engine.deliverReady(() -> false);
            now.addAndGet(100);
        }
        assertEquals(List.of("0:0#1", "0:0#2", "0:0#3"), delivered);
        assertEquals(Map.of(), engine.takeCommits(), "the offset does not move while the dead letter is not stored");
        engine.deliverReady(() -> false);
        assertEquals(3, delivered.size(), "the listener is not called again");
        dltDown = false;
        now.addAndGet(100);
        engine.deliverReady(() -> false);
        assertEquals(List.of("0:0 after 3 boom 0"), deadLetters);
        assertEquals(List.of("0:0#1", "0:0#2", "0:0#3", "0:1#1"), delivered);
        assertEquals(Map.of(P0, new OffsetAndMetadata(2)), engine.takeCommits());
    }

    @Test
    void stoppingBeforeTheDeadLetterIsWrittenLeavesTheRecordUncommitted() {
        failing.add("0:0");
        DeliveryEngine once = new DeliveryEngine(1, 100, now::get, (r, a) -> {
            throw new IllegalStateException("No such resource (the application is being undeployed)");
        }, (r, n, c) -> deadLetters.add("dlt"));
        once.add(P0, records(P0, 0, 2));
        once.deliverReady(() -> false);
        now.addAndGet(100);
        once.deliverReady(() -> true); // deactivated within the back-off
        assertEquals(List.of(), deadLetters);
        assertEquals(Map.of(), once.revoke(List.of(P0)), "nothing committed: the next activation gets the record again");
    }

    @Test
    void withoutBackOffTheDeadLetterIsWrittenRightAfterTheLastAttempt() {
        DeliveryEngine quick = new DeliveryEngine(2, 0, now::get, (r, a) -> {
            throw new IllegalStateException("boom");
        }, (r, n, c) -> deadLetters.add(r.offset() + " after " + n));
        quick.add(P0, records(P0, 0, 2));
        quick.deliverReady(() -> false); // a failure ends the partition's turn in this round
        quick.deliverReady(() -> false); // record 0: last attempt, dead letter; record 1: first attempt
        assertEquals(List.of("0 after 2"), deadLetters);
        quick.deliverReady(() -> false);
        assertEquals(List.of("0 after 2", "1 after 2"), deadLetters);
        assertEquals(Map.of(P0, new OffsetAndMetadata(2)), quick.takeCommits());
    }

    @Test
    void anUnavailableEndpointIsRetriedWithoutCountingAnAttempt() {
        List<Integer> attempts = new ArrayList<>();
        int[] calls = {0};
        DeliveryEngine e = new DeliveryEngine(1, 100, now::get, (r, attempt) -> {
            attempts.add(attempt);
            if (calls[0]++ == 0) {
                throw new DeliveryEngine.NotDelivered("undeploying", null);
            }
        }, (r, n, c) -> deadLetters.add("dlt"));
        e.add(P0, records(P0, 0, 1));
        e.deliverReady(() -> false);
        now.addAndGet(100);
        e.deliverReady(() -> false);
        assertEquals(List.of(1, 1), attempts);
        assertEquals(List.of(), deadLetters);
        assertEquals(Map.of(P0, new OffsetAndMetadata(1)), e.takeCommits());
    }

    @Test
    void stoppingFinishesTheCurrentRecordAndCommitsOnlyWhatWasDelivered() {
        engine.add(P0, records(P0, 0, 5));
        int[] n = {0};
        engine.deliverReady(() -> n[0]++ >= 2);
        assertEquals(List.of("0:0#1", "0:1#1"), delivered);
        assertEquals(Map.of(P0, new OffsetAndMetadata(2)), engine.revoke(List.of(P0)));
        assertTrue(engine.backlogged().isEmpty(), "revoked partitions forget their undelivered records");
    }

    @Test
    void revokingReturnsOnlyTheRevokedPartitionsOffsets() {
        engine.add(P0, records(P0, 0, 1));
        engine.add(P1, records(P1, 0, 1));
        engine.deliverReady(() -> false);
        assertEquals(Map.of(P1, new OffsetAndMetadata(1)), engine.revoke(List.of(P1)));
        assertEquals(Map.of(P0, new OffsetAndMetadata(1)), engine.takeCommits());
    }
}
