package org.tributary.replication;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.TopicImage;
import org.tributary.network.InterBroker;
import org.tributary.txn.TxnMarkerSender;

/**
 * Sends transaction markers (WriteTxnMarkers v1) to the leaders of the partitions, as Kafka's
 * TransactionMarkerChannelManager: partitions grouped by their leader in the current image, one
 * sender thread and connection per destination broker over the inter-broker listener (TLS when it
 * is SSL), this broker included. A partition without a leader, or whose leader cannot be reached,
 * answers NOT_LEADER_OR_FOLLOWER (the coordinator sends it again after a backoff, to whoever leads
 * it then); a partition of a topic that no longer exists answers UNKNOWN_TOPIC_OR_PARTITION.
 */
public final class TxnMarkerChannels implements TxnMarkerSender, Closeable {
    private static final Logger LOG = Logger.getLogger(TxnMarkerChannels.class.getName());
    private static final short VERSION = 1;
    private static final int TIMEOUT_MS = 30_000;

    private final int localId;
    private final Supplier<MetadataImage> image;
    private final InterBroker interBroker;
    private final Map<Integer, Destination> destinations = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One destination broker: its thread and connection. */
    private final class Destination {
        final ExecutorService thread;
        final BrokerChannel channel;

        Destination(int brokerId) {
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "tributary-txn-markers-" + localId + "-to-" + brokerId);
                t.setDaemon(true);
                return t;
            });
            this.channel = new BrokerChannel("tributary-txn-markers-" + localId, 10_000, interBroker.tls(), interBroker.sasl());
        }
    }

    public TxnMarkerChannels(int localId, Supplier<MetadataImage> image, InterBroker interBroker) {
        this.localId = localId;
        this.image = image;
        this.interBroker = interBroker;
    }

    @Override
    public CompletableFuture<Map<TopicPartition, Errors>> send(Markers markers) {
        MetadataImage img = image.get();
        Map<TopicPartition, Errors> answers = new ConcurrentHashMap<>();
        Map<Integer, List<TopicPartition>> byLeader = new HashMap<>();
        for (TopicPartition tp : markers.partitions()) {
            TopicImage t = img == null ? null : img.topic(tp.topic()).orElse(null);
            if (t == null || tp.partition() >= t.partitionCount()) {
                answers.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                continue;
            }
            int leader = t.partition(tp.partition()).leader();
            if (leader < 0) {
                answers.put(tp, Errors.NOT_LEADER_OR_FOLLOWER);
            } else {
                byLeader.computeIfAbsent(leader, l -> new ArrayList<>()).add(tp);
            }
        }
        List<CompletableFuture<Void>> sends = new ArrayList<>();
        byLeader.forEach((leader, partitions) -> sends.add(sendTo(img, leader, markers, partitions, answers)));
        return CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).thenApply(x -> answers);
    }

    private CompletableFuture<Void> sendTo(MetadataImage img, int leader, Markers m, List<TopicPartition> partitions,
            Map<TopicPartition, Errors> answers) {
        BrokerRegistration b = img.broker(leader).orElse(null);
        InetSocketAddress address = b == null || b.fenced() ? null
                : b.endpoint(interBroker.listener()).map(e -> new InetSocketAddress(e.host(), e.port())).orElse(null);
        if (address == null || closed) {
            partitions.forEach(tp -> answers.put(tp, Errors.NOT_LEADER_OR_FOLLOWER));
            return CompletableFuture.completedFuture(null);
        }
        Map<String, List<Integer>> byTopic = new TreeMap<>();
        partitions.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition()));
        WriteTxnMarkersRequestData.WritableTxnMarker marker = new WriteTxnMarkersRequestData.WritableTxnMarker()
                .setProducerId(m.producerId()).setProducerEpoch(m.producerEpoch()).setTransactionResult(m.commit())
                .setCoordinatorEpoch(m.coordinatorEpoch());
        byTopic.forEach((topic, ids) -> marker.topics().add(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(topic)
                .setPartitionIndexes(ids)));
        WriteTxnMarkersRequestData req = new WriteTxnMarkersRequestData().setMarkers(List.of(marker));
        Destination d = destinations.computeIfAbsent(leader, Destination::new);
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            d.thread.execute(() -> {
                try {
                    d.channel.target(address);
                    WriteTxnMarkersResponseData resp = d.channel.send(ApiKeys.WRITE_TXN_MARKERS, VERSION, req,
                            WriteTxnMarkersResponseData::new, TIMEOUT_MS);
                    Set<TopicPartition> asked = Set.copyOf(partitions);
                    for (WriteTxnMarkersResponseData.WritableTxnMarkerResult r : resp.markers()) {
                        for (WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult t : r.topics()) {
                            for (WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult p : t.partitions()) {
                                TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                                if (asked.contains(tp)) {
                                    answers.put(tp, Errors.forCode(p.errorCode()));
                                }
                            }
                        }
                    }
                    partitions.forEach(tp -> answers.putIfAbsent(tp, Errors.NOT_LEADER_OR_FOLLOWER));
                } catch (IOException | RuntimeException e) {
                    LOG.fine(() -> "WriteTxnMarkers to broker " + leader + " at " + address + " failed: " + e);
                    partitions.forEach(tp -> answers.put(tp, Errors.NOT_LEADER_OR_FOLLOWER));
                }
                done.complete(null);
            });
        } catch (RejectedExecutionException e) {
            partitions.forEach(tp -> answers.put(tp, Errors.NOT_LEADER_OR_FOLLOWER));
            done.complete(null);
        }
        return done;
    }

    @Override
    public void close() {
        closed = true;
        destinations.values().forEach(d -> {
            d.thread.shutdownNow();
            d.channel.close();
        });
    }
}
