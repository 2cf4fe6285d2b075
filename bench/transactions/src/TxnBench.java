import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The transactions benchmark's client side (bench/transactions/run.sh): Kafka's perf tools have no
 * "transactions of N records" mode and no consume-transform-produce loop, so this measures both with
 * the real Java client, and checks every figure's output with a read_committed consumer before it
 * counts. Every wait is bounded.
 *
 * <pre>
 * produce --bootstrap B --topic T --records R --txn-size S [--record-size 1024] [--label L]
 *     one transactional producer sends R records in transactions of S records (begin, S sends,
 *     commit), as fast as it can; the figure is MB/s of record values from the first begin to the
 *     last commit, the note gives records/s and commits/s. Then a read_committed consumer must read
 *     exactly R records of T (otherwise the figure is n/a).
 * fill --bootstrap B --topic T --records R [--record-size 1024]
 *     a plain idempotent producer (acks=all) writes the input of a ctp run; prints "FILLED&lt;TAB&gt;R".
 * ctp --bootstrap B --input I --output O --records R [--max-poll 500] [--label L]
 *     the classic exactly-once loop: a read_committed consumer of group "ctp-&lt;random&gt;" polls I;
 *     for each non-empty poll one transaction sends every record to O (value reversed), adds the
 *     consumer's offsets with sendOffsetsToTransaction(offsets, groupMetadata) and commits. The figure
 *     is records/s from the first record received to the commit of the R-th. Then O must hold exactly
 *     R records read with read_committed.
 * </pre>
 */
public final class TxnBench extends ClusterBenchTool {
    public static void main(String[] args) throws Exception {
        switch (start("txn-bench", args)) {
            case "produce" -> produce();
            case "fill" -> fill();
            case "ctp" -> ctp();
            default -> throw new IllegalArgumentException("unknown sub-command " + args[0]);
        }
        exit();
    }

    private static void produce() {
        String label = opt("label", "txn");
        String topic = opt("topic", "txn");
        long records = Long.parseLong(opt("records", "100000"));
        int txnSize = intOpt("txn-size", 100);
        byte[] payload = payload(intOpt("record-size", 1024));
        AtomicReference<Exception> failed = new AtomicReference<>();
        long start;
        long end;
        long commits = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(transactional("txn-bench-" + UUID.randomUUID()))) {
            producer.initTransactions();
            start = System.nanoTime();
            long sent = 0;
            long lastReport = start;
            while (sent < records) {
                producer.beginTransaction();
                long n = Math.min(txnSize, records - sent);
                for (long i = 0; i < n; i++) {
                    producer.send(new ProducerRecord<>(topic, null, payload), (md, e) -> {
                        if (e != null) {
                            failed.compareAndSet(null, e);
                        }
                    });
                }
                producer.commitTransaction();
                commits++;
                sent += n;
                if (failed.get() != null) {
                    fig(label, null, "a send failed: " + describe(failed.get()));
                    return;
                }
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10)) {
                    lastReport = System.nanoTime();
                    log("%s: %,d of %,d records committed", label, sent, records);
                }
            }
            end = System.nanoTime();
        } catch (Exception e) {
            fig(label, null, "the transactional producer failed: " + describe(e));
            return;
        }
        double secs = (end - start) / 1e9;
        long read = countCommitted(topic, records);
        if (read != records) {
            fig(label, null, "a read_committed consumer read " + read + " records of " + records + " committed");
            return;
        }
        double mb = records * (double) payload.length / (1 << 20);
        fig(label, String.format(Locale.ROOT, "%.1f", mb / secs), String.format(Locale.ROOT,
                "%,d records in %,d transactions of %d in %.1f s: %,.0f records/s, %,.1f commits/s; read_committed read all %,d back",
                records, commits, txnSize, secs, records / secs, commits / secs, records));
    }

    private static void fill() throws Exception {
        String topic = opt("topic", "ctp-in");
        long records = Long.parseLong(opt("records", "100000"));
        byte[] payload = payload(intOpt("record-size", 1024));
        Properties p = base();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, "65536");
        AtomicReference<Exception> failed = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (long i = 0; i < records && failed.get() == null; i++) {
                producer.send(new ProducerRecord<>(topic, payload), (md, e) -> {
                    if (e != null) {
                        failed.compareAndSet(null, e);
                    }
                });
            }
            producer.flush();
        }
        if (failed.get() != null) {
            System.out.println("FILLED\tfailed\t" + describe(failed.get()));
        } else {
            System.out.println("FILLED\t" + records);
        }
    }

    private static void ctp() {
        String label = opt("label", "ctp");
        String input = opt("input", "ctp-in");
        String output = opt("output", "ctp-out");
        long records = Long.parseLong(opt("records", "100000"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(intOpt("deadline-s", 600));
        Properties c = consumerProps("ctp-" + UUID.randomUUID());
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, opt("max-poll", "500"));
        long start = 0;
        long end;
        long done = 0;
        long txns = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(transactional("ctp-bench-" + UUID.randomUUID()))) {
            producer.initTransactions();
            consumer.subscribe(List.of(input));
            long lastReport = System.nanoTime();
            long idleSince = System.nanoTime();
            while (done < records) {
                if (System.nanoTime() > deadline) {
                    fig(label, null, "processed " + done + " of " + records + " records before the deadline of " + opt("deadline-s", "600") + " s");
                    return;
                }
                ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
                if (polled.isEmpty()) {
                    if (System.nanoTime() - idleSince > TimeUnit.SECONDS.toNanos(60)) {
                        fig(label, null, "no input for 60 s after " + done + " of " + records + " records");
                        return;
                    }
                    continue;
                }
                idleSince = System.nanoTime();
                if (start == 0) {
                    start = System.nanoTime();
                }
                producer.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : polled) {
                    producer.send(new ProducerRecord<>(output, r.key(), reversed(r.value())));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                producer.commitTransaction();
                txns++;
                done += polled.count();
                if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(10)) {
                    lastReport = System.nanoTime();
                    log("%s: %,d of %,d records processed", label, done, records);
                }
            }
            end = System.nanoTime();
        } catch (Exception e) {
            fig(label, null, "the loop failed after " + done + " records: " + describe(e));
            return;
        }
        double secs = (end - start) / 1e9;
        long read = countCommitted(output, records);
        if (read != records) {
            fig(label, null, "a read_committed consumer read " + read + " output records of " + records + " processed");
            return;
        }
        fig(label, String.format(Locale.ROOT, "%.0f", records / secs), String.format(Locale.ROOT,
                "%,d records in %,d transactions in %.1f s (%.1f records a transaction); read_committed read all %,d back",
                records, txns, secs, records / (double) txns, records));
    }

    /** Reads T from the start with read_committed until {@code expected} records or 30 s without one more. */
    private static long countCommitted(String topic, long expected) {
        Properties c = consumerProps("unused");
        c.remove(ConsumerConfig.GROUP_ID_CONFIG);
        long n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
            List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(30));
            List<TopicPartition> tps = parts.stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            long lastProgress = System.nanoTime();
            while (n < expected && System.nanoTime() - lastProgress < TimeUnit.SECONDS.toNanos(30)) {
                int got = consumer.poll(Duration.ofMillis(500)).count();
                if (got > 0) {
                    n += got;
                    lastProgress = System.nanoTime();
                }
            }
            // anything beyond what was committed would be a duplicate: look once more
            n += consumer.poll(Duration.ofSeconds(1)).count();
        } catch (Exception e) {
            log("counting %s failed: %s", topic, describe(e));
        }
        return n;
    }

    private static Properties base() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, opt("bootstrap", "127.0.0.1:9092"));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    private static Properties transactional(String id) {
        Properties p = base();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "60000");
        return p;
    }

    private static Properties consumerProps(String group) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, opt("bootstrap", "127.0.0.1:9092"));
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return p;
    }

    private static byte[] payload(int size) {
        byte[] b = new byte[size];
        new java.util.Random(42).nextBytes(b);
        return b;
    }

    private static byte[] reversed(byte[] v) {
        if (v == null) {
            return null;
        }
        byte[] r = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[v.length - 1 - i];
        }
        return r;
    }
}
