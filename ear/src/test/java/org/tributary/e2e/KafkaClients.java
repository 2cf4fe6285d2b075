package org.tributary.e2e;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Stock kafka-clients producer and consumer against real nodes. */
final class KafkaClients {
    private KafkaClients() {
    }

    /** The Kafka addresses of the given nodes, comma separated. */
    static String bootstrap(org.tributary.testkit.LocalCluster cluster, int... nodes) {
        return java.util.Arrays.stream(nodes).mapToObj(n -> "127.0.0.1:" + cluster.kafkaPort(n))
                .collect(java.util.stream.Collectors.joining(","));
    }

    /** An Admin client through the given nodes, with generous timeouts for a cluster under test. */
    static org.apache.kafka.clients.admin.Admin admin(org.tributary.testkit.LocalCluster cluster, int... nodes) {
        return admin(bootstrap(cluster, nodes));
    }

    /** An Admin client bootstrapped at these addresses, with generous timeouts for a cluster under test. */
    static org.apache.kafka.clients.admin.Admin admin(String bootstrap) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("default.api.timeout.ms", "60000");
        p.put("request.timeout.ms", "10000");
        return org.apache.kafka.clients.admin.Admin.create(p);
    }

    /** Sends the values with acks=all (idempotent, the client's default) and waits for every acknowledgement. */
    static List<RecordMetadata> produce(String bootstrap, String topic, List<String> values, int partition) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("acks", "all");
        p.put("delivery.timeout.ms", "60000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (String v : values) {
                sent.add(producer.send(new ProducerRecord<>(topic, partition, null, v)));
            }
            List<RecordMetadata> acks = new ArrayList<>();
            for (Future<RecordMetadata> f : sent) {
                acks.add(f.get());
            }
            return acks;
        }
    }

    /** The partition count of a topic, auto-creating it through a metadata request as any client would. */
    static int partitionCount(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            return consumer.partitionsFor(topic, Duration.ofSeconds(30)).size();
        }
    }

    /** Reads partition 0 of the topic from the beginning until {@code expected} values arrived or 60 s passed. */
    static List<String> readAll(String bootstrap, String topic, int expected) {
        return readAll(bootstrap, topic, 0, expected);
    }

    /** Reads one partition of the topic from the beginning until {@code expected} values arrived or 60 s passed. */
    static List<String> readAll(String bootstrap, String topic, int partition, int expected) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("enable.auto.commit", "false");
        List<String> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, partition);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.currentTimeMillis() + 60_000;
            while (out.size() < expected && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(500))) {
                    out.add(r.value());
                }
            }
        }
        return out;
    }
}
