package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tributary.config.BrokerConfig;

/** Binding errors, shutdown with waiting requests, size limits. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KafkaServerLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void aPortInUseIsReportedWithTheKeyAndAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket()) {
            taken.bind(new InetSocketAddress("127.0.0.1", 0));
            int port = taken.getLocalPort();
            KafkaServer server = KafkaServer.create(BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:" + port)), dir,
                    Executors.defaultThreadFactory(), Time.SYSTEM, new org.tributary.metadata.MetadataFollower());
            try {
                IOException e = assertThrows(IOException.class, server::bind);
                assertTrue(e.getMessage().contains("listeners") && e.getMessage().contains("127.0.0.1:" + port)
                        && e.getMessage().contains("already in use"), e.getMessage());
            } finally {
                server.close();
            }
        }
    }

    @Test
    void closeAnswersAParkedFetchAndReturnsPromptly() throws Exception {
        TestBroker broker = new TestBroker();
        try {
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic("parked", 1, (short) 1))).all().get();
            }
            RawClient c = new RawClient(broker.port());
            FetchRequestData fetch = new FetchRequestData().setMaxWaitMs(30_000).setMinBytes(1).setMaxBytes(1 << 20)
                    .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic("parked").setPartitions(List.of(
                            new FetchRequestData.FetchPartition().setPartition(0).setFetchOffset(0).setPartitionMaxBytes(65536)))));
            CompletableFuture<FetchResponse> answer = CompletableFuture.supplyAsync(() -> {
                try {
                    return c.send(new FetchRequest(fetch, (short) 11));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (broker.server().parkedFetches() == 0 && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertEquals(1, broker.server().parkedFetches());
            long start = System.nanoTime();
            broker.server().close();
            FetchResponse r = answer.get(10, TimeUnit.SECONDS);
            assertEquals(0, r.data().responses().get(0).partitions().get(0).errorCode());
            assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 10, "close must not wait for max.wait.ms");
            c.close();
        } finally {
            broker.close();
        }
    }

    @Test
    void idleConnectionsAreClosed() throws Exception {
        try (TestBroker broker = new TestBroker(Map.of("connections.max.idle.ms", "1000"));
             RawClient idle = new RawClient(broker.port())) {
            long start = System.nanoTime();
            assertTrue(idle.closedByBroker());
            assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) >= 900);
        }
    }

    @Test
    void aBatchAboveMaxMessageBytesIsRejected() throws Exception {
        try (TestBroker broker = new TestBroker()) {
            try (Admin admin = broker.admin()) {
                admin.createTopics(List.of(new NewTopic("small", 1, (short) 1).configs(Map.of("max.message.bytes", "200"))))
                        .all().get();
            }
            try (RawClient c = new RawClient(broker.port())) {
                ProduceRequestData data = new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000);
                ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName("small");
                td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(
                        MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(new byte[1000]))));
                data.topicData().add(td);
                ProduceResponse r = c.send(new ProduceRequest.Builder((short) 9, (short) 9, data).build((short) 9));
                var pr = r.data().responses().iterator().next().partitionResponses().get(0);
                assertEquals(Errors.MESSAGE_TOO_LARGE.code(), pr.errorCode());
            }
        }
    }
}
