import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Consumer throughput without a consumer group (assign + seek to the beginning), so it runs against
 * a broker without group APIs. Usage: AssignConsumerPerf BOOTSTRAP TOPIC MESSAGES [CLIENT_PROPERTIES_FILE];
 * the optional file adds client properties (e.g. security.protocol, sasl.*, ssl.* for a secured listener).
 * Prints one line: records, MB, seconds, MB/s, records/s.
 */
public final class AssignConsumerPerf {
    public static void main(String[] args) throws IOException {
        Properties p = new Properties();
        if (args.length > 3) {
            try (Reader in = Files.newBufferedReader(Paths.get(args[3]))) {
                p.load(in);
            }
        }
        p.put("bootstrap.servers", args[0]);
        p.put("enable.auto.commit", "false");
        p.put("receive.buffer.bytes", 2 * 1024 * 1024); // as ConsumerPerformance sets by default
        long want = Long.parseLong(args[2]);
        long records = 0;
        long bytes = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(args[1], 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long start = System.nanoTime();
            long lastProgress = start;
            while (records < want && System.nanoTime() - lastProgress < 10_000_000_000L) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                    records++;
                    bytes += r.serializedValueSize() + Math.max(0, r.serializedKeySize());
                    lastProgress = System.nanoTime();
                }
            }
            double secs = (System.nanoTime() - start) / 1e9;
            double mb = bytes / (1024.0 * 1024.0);
            System.out.printf("records=%d MB=%.1f seconds=%.2f MB/s=%.1f records/s=%.0f%n", records, mb, secs, mb / secs, records / secs);
        }
    }
}
