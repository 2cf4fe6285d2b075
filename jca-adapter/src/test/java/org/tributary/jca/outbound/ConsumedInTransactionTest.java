package org.tributary.jca.outbound;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ManagedConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.jca.ConsumedInTransaction;
import org.tributary.jca.ConsumedInTransaction.Outcome;
import org.tributary.jca.api.TributaryConnection;
import org.tributary.jca.txn.InProcessBroker;

/**
 * An MDB delivery's consumed position in the container's Kafka transaction, against a real
 * in-process broker: the position is committed with what was sent or not at all, only a
 * transaction the container begins during the delivery takes it, and a stale group generation
 * fences the commit (KIP-447).
 */
class ConsumedInTransactionTest {
    private static InProcessBroker broker;

    @TempDir
    Path recovery;

    @BeforeAll
    static void start() throws Exception {
        broker = new InProcessBroker(Map.of());
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
    }

    private ManagedConnection connection(String prefix) throws ResourceException {
        TributaryManagedConnectionFactory mcf = new TributaryManagedConnectionFactory();
        mcf.setBootstrapServers(broker.bootstrap());
        mcf.setTransactionSupportLevel("LocalTransaction");
        mcf.setTransactionalIdPrefix(prefix);
        mcf.setServerName("test");
        mcf.setRecoveryDirectory(recovery.toString());
        mcf.setSendTimeoutMs("20000");
        mcf.setProducerProperties("max.block.ms=20000;delivery.timeout.ms=20000;request.timeout.ms=10000;linger.ms=0");
        return mcf.createManagedConnection(null, null);
    }

    private static void produce(String topic, int n) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, 0, "k", "in-" + i));
            }
            producer.flush();
        }
    }

    /** A group member of {@code group} on {@code topic}, polled until it holds records. */
    private static KafkaConsumer<byte[], byte[]> member(String group, String topic, List<ConsumerRecord<byte[], byte[]>> into) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        c.subscribe(List.of(topic));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (into.isEmpty() && System.nanoTime() < deadline) {
            ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(200));
            rs.forEach(into::add);
        }
        assertTrue(!into.isEmpty(), "the group member received no records");
        return c;
    }

    private static Long committed(KafkaConsumer<byte[], byte[]> c, TopicPartition tp) {
        OffsetAndMetadata o = c.committed(Set.of(tp)).get(tp);
        return o == null ? null : o.offset();
    }

    private static List<String> readCommitted(String topic, int atLeast) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<String> out = new ArrayList<>();
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((out.size() < atLeast || c.position(tp) < end) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    out.add(new String(r.value(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    @Test
    void theContainersTransactionCommitsThePositionWithTheSentRecordsOrNeither() throws Exception {
        produce("eos-in", 3);
        List<ConsumerRecord<byte[], byte[]>> in = new ArrayList<>();
        ManagedConnection mc = connection("eos-a");
        try (KafkaConsumer<byte[], byte[]> member = member("eos-a", "eos-in", in)) {
            TopicPartition tp = new TopicPartition("eos-in", 0);
            TributaryConnection c = (TributaryConnection) mc.getConnection(null, null);

            // delivery of in-0, rolled back by the container: neither the output nor the position
            ConsumedInTransaction d = ConsumedInTransaction.open(tp, in.get(0).offset(), member.groupMetadata());
            mc.getLocalTransaction().begin();
            c.send("eos-out", "k", "out-0 rolled back");
            mc.getLocalTransaction().rollback();
            assertEquals(Outcome.NOT_COMMITTED, d.close());
            assertNull(committed(member, tp));

            // redelivery of in-0, committed: both
            d = ConsumedInTransaction.open(tp, in.get(0).offset(), member.groupMetadata());
            mc.getLocalTransaction().begin();
            c.send("eos-out", "k", "out-0");
            mc.getLocalTransaction().commit();
            assertEquals(Outcome.COMMITTED, d.close());
            assertEquals(in.get(0).offset() + 1, committed(member, tp));
            assertEquals(List.of("out-0"), readCommitted("eos-out", 1));

            // a transaction begun outside any delivery takes no position
            mc.getLocalTransaction().begin();
            c.send("eos-out", "k", "outside a delivery");
            mc.getLocalTransaction().commit();
            assertEquals(in.get(0).offset() + 1, committed(member, tp));

            // the application's own local transaction during a delivery does not take it either
            d = ConsumedInTransaction.open(tp, in.get(1).offset(), member.groupMetadata());
            c.getLocalTransaction().begin();
            c.send("eos-out", "k", "application's own");
            c.getLocalTransaction().commit();
            assertEquals(Outcome.NOT_CLAIMED, d.close());
            assertEquals(in.get(0).offset() + 1, committed(member, tp));
            assertEquals(List.of("out-0", "outside a delivery", "application's own"), readCommitted("eos-out", 3));
            c.close();
        } finally {
            mc.destroy();
        }
    }

    @Test
    void aStaleGroupGenerationFencesTheCommitAndAbortsWhatWasSent() throws Exception {
        produce("eos-fence-in", 2);
        List<ConsumerRecord<byte[], byte[]>> in = new ArrayList<>();
        ManagedConnection mc = connection("eos-b");
        try (KafkaConsumer<byte[], byte[]> member = member("eos-b", "eos-fence-in", in)) {
            TopicPartition tp = new TopicPartition("eos-fence-in", 0);
            TributaryConnection c = (TributaryConnection) mc.getConnection(null, null);
            ConsumerGroupMetadata current = member.groupMetadata();
            // a member that lost its partitions to a rebalance still carries the old generation
            ConsumerGroupMetadata zombie = new ConsumerGroupMetadata(current.groupId(), current.generationId() - 1, current.memberId(),
                    Optional.empty());
            ConsumedInTransaction d = ConsumedInTransaction.open(tp, in.get(0).offset(), zombie);
            mc.getLocalTransaction().begin();
            c.send("eos-fence-out", "k", "from a zombie");
            ResourceException e = assertThrows(ResourceException.class, () -> mc.getLocalTransaction().commit());
            assertTrue(e.getMessage().contains("consumed position"), e.getMessage());
            assertEquals(Outcome.NOT_COMMITTED, d.close());
            assertNull(committed(member, tp));
            c.close();
        } finally {
            mc.destroy();
        }
        // the fenced records were aborted: a read_committed reader sees none of them
        produce("eos-fence-out", 1);
        assertEquals(List.of("in-0"), readCommitted("eos-fence-out", 1));
    }

    @Test
    void noDeliveryIsOpenAfterClose() {
        ConsumedInTransaction d = ConsumedInTransaction.open(new TopicPartition("t", 0), 4, new ConsumerGroupMetadata("g"));
        assertEquals(Map.of(new TopicPartition("t", 0), new OffsetAndMetadata(5)), ConsumedInTransaction.claim().offsets());
        assertNull(ConsumedInTransaction.claim(), "a position is claimed once");
        assertEquals(Outcome.NOT_COMMITTED, d.close());
        assertNull(ConsumedInTransaction.claim());
    }
}
