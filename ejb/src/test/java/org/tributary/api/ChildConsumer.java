package org.tributary.api;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * A consumer in its own JVM, so a test can crash it (destroyForcibly: no LeaveGroup, no more
 * heartbeats). Args: bootstrap, group, topic, session timeout ms. Prints "ASSIGNED n" when it owns partitions.
 */
public final class ChildConsumer {
    private ChildConsumer() {
    }

    public static void main(String[] args) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, args[1]);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.parseInt(args[3]));
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(args[2]));
            int reported = -1;
            while (true) {
                c.poll(Duration.ofMillis(100));
                if (c.assignment().size() != reported) {
                    reported = c.assignment().size();
                    System.out.println("ASSIGNED " + reported);
                    System.out.flush();
                }
            }
        }
    }
}
