package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What transaction verification (KIP-890) costs a transactional producer, in-process on one
 * broker: transactions per second (three records over three partitions each) with verification on
 * and off. A measurement, not a check: run with {@code -Dtributary.bench=true}.
 */
@EnabledIfSystemProperty(named = "tributary.bench", matches = "true")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class TransactionVerificationCostTest {
    private static final int TRANSACTIONS = 300;

    private static double commitsPerSecond(boolean verification) throws Exception {
        try (TestBroker broker = new TestBroker(Map.of("transaction.partition.verification.enable", Boolean.toString(verification)));
                Admin admin = broker.admin()) {
            admin.createTopics(List.of(new NewTopic("cost", 3, (short) 1))).all().get(30, TimeUnit.SECONDS);
            try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "cost-" + verification,
                    ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000))) {
                p.initTransactions();
                byte[] v = "value".getBytes(StandardCharsets.UTF_8);
                for (int warm = 0; warm < 30; warm++) {
                    transaction(p, v);
                }
                long start = System.nanoTime();
                for (int t = 0; t < TRANSACTIONS; t++) {
                    transaction(p, v);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                return TRANSACTIONS / seconds;
            }
        }
    }

    private static void transaction(KafkaProducer<byte[], byte[]> p, byte[] v) {
        p.beginTransaction();
        for (int part = 0; part < 3; part++) {
            p.send(new ProducerRecord<>("cost", part, v, v));
        }
        p.commitTransaction();
    }

    @Test
    void commitRateWithAndWithoutVerification() throws Exception {
        double off = commitsPerSecond(false);
        double on = commitsPerSecond(true);
        double off2 = commitsPerSecond(false);
        double on2 = commitsPerSecond(true);
        System.out.printf("KIP-890 verification cost: off %.1f / %.1f tx/s, on %.1f / %.1f tx/s%n", off, off2, on, on2);
        assertEquals(4, List.of(off, on, off2, on2).stream().filter(r -> r > 0).count());
    }
}
