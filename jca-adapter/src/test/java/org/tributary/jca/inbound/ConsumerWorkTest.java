package org.tributary.jca.inbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The consumer loop around the delivery engine, driven by kafka-clients' MockConsumer. */
class ConsumerWorkTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    private static ConsumerSettings settings() {
        TributaryActivationSpec s = new TributaryActivationSpec();
        s.setTopics("t");
        s.setGroupId("g");
        s.setPollTimeoutMs("10");
        return s.settings("unused:9092");
    }

    @Test
    void commitsProcessedOffsetsPausesABlockedPartitionAndCommitsBeforeRevocation() throws Exception {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger polls = new AtomicInteger();
        DeliveryEngine engine = new DeliveryEngine(100, 60_000, System::currentTimeMillis, (r, attempt) -> {
            delivered.add(r.partition() + ":" + r.offset());
            if (r.partition() == 1 && r.offset() == 1) {
                throw new IllegalStateException("stuck");
            }
        }, (r, n, e) -> { });
        ConsumerWork work = new ConsumerWork("w-0", settings(), engine);
        work.useConsumer(consumer);

        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(P0, P1));
            consumer.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
            for (int i = 0; i < 3; i++) {
                consumer.addRecord(new ConsumerRecord<>("t", 0, i, null, new byte[0]));
                consumer.addRecord(new ConsumerRecord<>("t", 1, i, null, new byte[0]));
            }
        });
        for (int i = 0; i < 3; i++) {
            consumer.schedulePollTask(polls::incrementAndGet);
        }
        consumer.schedulePollTask(() -> {
            // partition 1 is stuck on offset 1 (long back-off): it must be paused, partition 0 done
            assertEquals(Set.of(P1), consumer.paused());
            assertEquals(new OffsetAndMetadata(3), consumer.committed(Set.of(P0)).get(P0));
            assertEquals(new OffsetAndMetadata(1), consumer.committed(Set.of(P1)).get(P1));
            consumer.rebalance(List.of(P0)); // P1 revoked: its state is dropped
            work.release();
        });
        Thread t = new Thread(work);
        t.start();
        assertTrue(work.awaitFinished(30, TimeUnit.SECONDS));
        t.join(10_000);
        assertEquals(List.of("0:0", "0:1", "0:2"), delivered.stream().filter(d -> d.startsWith("0:")).toList());
        assertEquals(List.of("1:0", "1:1"), delivered.stream().filter(d -> d.startsWith("1:")).toList(),
                "offset 1 of partition 1 failed once and waits out its back-off; offset 2 does not run ahead");
        assertTrue(consumer.closed());
        assertEquals(3, polls.get());
    }

    @Test
    void aClusterErrorKeepsTheEndpointAliveAndStopCutsThePauseShort() throws Exception {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        ConsumerWork work = new ConsumerWork("w-2", settings(),
                new DeliveryEngine(1, 0, System::currentTimeMillis, (r, a) -> { }, (r, n, e) -> { }));
        work.useConsumer(consumer);
        consumer.setPollException(new org.apache.kafka.common.KafkaException("cluster unreachable"));
        Thread t = new Thread(work);
        t.start();
        assertTrue(!work.awaitFinished(200, TimeUnit.MILLISECONDS), "still running after the error");
        long start = System.nanoTime();
        work.release();
        assertTrue(work.awaitFinished(30, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4), "the 5 s pause was cut short");
        assertTrue(consumer.closed());
    }

    @Test
    void releaseBeforeTheLoopStartsClosesTheConsumerWithoutPolling() throws Exception {
        MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
        ConsumerWork work = new ConsumerWork("w-1", settings(),
                new DeliveryEngine(1, 0, System::currentTimeMillis, (r, a) -> { }, (r, n, e) -> { }));
        work.useConsumer(consumer);
        work.release();
        work.run();
        assertTrue(consumer.closed());
        assertTrue(work.awaitFinished(0, TimeUnit.SECONDS));
    }
}
