package org.tributary.api;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestHeader;
import org.tributary.cluster.BrokerInfo;
import org.tributary.cluster.LocalClusterView;
import org.tributary.config.BrokerConfig;
import org.tributary.log.LogManager;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataStore;
import org.tributary.metadata.TopicImage;
import org.tributary.metrics.BrokerMetrics;
import org.tributary.partition.ReplicaManager;
import org.tributary.testing.FakeTime;

/**
 * Broker 1 alone with a {@link FetchHandler} over {@code topics} topics of {@code partitions}
 * partitions each, led here, replicated to {@code replicas} (broker 1 first): enough to drive
 * consumer and follower fetches without a network.
 */
final class FetchFixture implements AutoCloseable {
    final MetadataImage image;
    final List<TopicImage> topicList = new ArrayList<>();
    final ReplicaManager replicas;
    final FetchHandler handler;
    private final LogManager logs;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private int correlation;

    FetchFixture(Path dir, int topics, int partitions, List<Integer> replicaIds) throws Exception {
        Map<String, TopicImage> all = new HashMap<>();
        for (int i = 0; i < topics; i++) {
            TopicImage t = new TopicImage(String.format("t%05d", i), Uuid.randomUuid(), Collections.nCopies(partitions, replicaIds),
                    Map.of());
            all.put(t.name(), t);
            topicList.add(t);
        }
        image = new MetadataImage(1, all);
        logs = LogManager.open(dir.resolve("logs"), Map.of(), new FakeTime(1_700_000_000_000L), null);
        replicas = new ReplicaManager(logs, Map.of(), dir.resolve("ps"), 1, timer, pool);
        replicas.accept(image);
        LocalClusterView cluster = new LocalClusterView("dHJpYnV0YXJ5LXRlc3Qx00", new BrokerInfo(1, "127.0.0.1", 9092, 0, null), 0);
        handler = new FetchHandler(new ApiServices(BrokerConfig.of(Map.of()), cluster, new FixedStore(image), replicas, null, null,
                null, new BrokerMetrics(System::currentTimeMillis), null));
    }

    /** Appends {@code count} records of {@code size} bytes to {@code tp} as its leader and wakes what waits on it. */
    void append(TopicPartition tp, int count, int size) throws Exception {
        SimpleRecord[] records = new SimpleRecord[count];
        for (int i = 0; i < count; i++) {
            records[i] = new SimpleRecord(new byte[size]);
        }
        replicas.partition(tp).orElseThrow().appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records));
        replicas.onAppend(tp);
    }

    /** A fetch of every partition at {@code offset}, by topic id (v15); {@code build} sets the rest. */
    FetchRequestData fetchAll(long offset, Consumer<FetchRequestData> build) {
        FetchRequestData req = new FetchRequestData().setMaxBytes(50 * 1024 * 1024).setSessionId(0).setSessionEpoch(-1);
        req.replicaState().setReplicaId(-1).setReplicaEpoch(-1);
        for (TopicImage t : topicList) {
            FetchRequestData.FetchTopic ft = new FetchRequestData.FetchTopic().setTopicId(t.id());
            for (int p = 0; p < t.partitions().size(); p++) {
                ft.partitions().add(new FetchRequestData.FetchPartition().setPartition(p).setFetchOffset(offset)
                        .setPartitionMaxBytes(1024 * 1024).setCurrentLeaderEpoch(0).setLastFetchedEpoch(-1));
            }
            req.topics().add(ft);
        }
        build.accept(req);
        return req;
    }

    CompletableFuture<FetchResponseData> send(FetchRequestData req) throws Exception {
        RequestContext ctx = new RequestContext(new RequestHeader(ApiKeys.FETCH, (short) 15, "fetcher", ++correlation), "c1",
                InetAddress.getLoopbackAddress(), image);
        return handler.handle(ctx, req).toCompletableFuture().thenApply(m -> (FetchResponseData) m);
    }

    TopicPartition tp(int topic, int partition) {
        return new TopicPartition(topicList.get(topic).name(), partition);
    }

    @Override
    public void close() throws Exception {
        replicas.close();
        logs.close();
        timer.shutdownNow();
        pool.shutdownNow();
    }

    /** A store that always has one image. */
    private record FixedStore(MetadataImage image) implements MetadataStore {
        @Override
        public void addListener(Consumer<MetadataImage> listener) {
        }

        @Override
        public void close() {
        }
    }
}
