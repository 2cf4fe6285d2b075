package org.tributary.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.metadata.TopicImage;
import org.tributary.partition.Partition;

/**
 * WriteTxnMarkers (API 27, from transaction coordinators): writes each marker (COMMIT or ABORT,
 * with the coordinator's epoch) to each listed partition this broker leads, with acks=all: a
 * partition's result is sent once the marker is below the high watermark. Needs CLUSTER_ACTION on
 * the cluster (else every partition fails with CLUSTER_AUTHORIZATION_FAILED). Per-partition errors
 * are Kafka's: UNKNOWN_TOPIC_OR_PARTITION, NOT_LEADER_OR_FOLLOWER, INVALID_PRODUCER_EPOCH,
 * TRANSACTION_COORDINATOR_FENCED, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT. Internal
 * topics may be targeted; once a marker is replicated on {@code __consumer_offsets} the
 * {@link org.tributary.txn.TransactionMarkerListener} hears of it.
 */
final class WriteTxnMarkersHandler implements ApiHandler {
    private static final Logger LOG = Logger.getLogger(WriteTxnMarkersHandler.class.getName());
    private final ApiServices services;
    private final long timeoutMs;

    WriteTxnMarkersHandler(ApiServices services) {
        this.services = services;
        this.timeoutMs = services.config().getInt("request.timeout.ms", 30_000, 0, Integer.MAX_VALUE);
    }

    @Override
    public CompletionStage<ApiMessage> handle(RequestContext ctx, ApiMessage message) {
        WriteTxnMarkersRequestData req = (WriteTxnMarkersRequestData) message;
        boolean allowed = services.authorizer().allowsCluster(ctx, AclOperation.CLUSTER_ACTION);
        WriteTxnMarkersResponseData resp = new WriteTxnMarkersResponseData();
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        for (WritableTxnMarker marker : req.markers()) {
            WritableTxnMarkerResult mr = new WritableTxnMarkerResult().setProducerId(marker.producerId());
            resp.markers().add(mr);
            for (WritableTxnMarkerTopic topic : marker.topics()) {
                WritableTxnMarkerTopicResult tr = new WritableTxnMarkerTopicResult().setName(topic.name());
                mr.topics().add(tr);
                for (int index : topic.partitionIndexes()) {
                    WritableTxnMarkerPartitionResult pr = new WritableTxnMarkerPartitionResult().setPartitionIndex(index);
                    tr.partitions().add(pr);
                    if (!allowed) {
                        pr.setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code());
                        continue;
                    }
                    CompletableFuture<Void> done = write(ctx, marker, topic.name(), index, pr);
                    if (done != null) {
                        pending.add(done);
                    }
                }
            }
        }
        if (pending.isEmpty()) {
            return CompletableFuture.completedFuture(resp);
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(v -> resp);
    }

    /** Appends one marker; returns the wait for its replication, or null when {@code pr} is already answered. */
    private CompletableFuture<Void> write(RequestContext ctx, WritableTxnMarker marker, String topicName, int index,
            WritableTxnMarkerPartitionResult pr) {
        TopicImage topic = ctx.image().topic(topicName).orElse(null);
        TopicPartition tp = new TopicPartition(topicName, index);
        Partition partition = services.replicas().partition(tp).orElse(null);
        if (topic == null || partition == null || !partition.topicId().equals(topic.id())) {
            pr.setErrorCode(ApiErrors.notServed(topic, index).code());
            return null;
        }
        Partition.AppendResult r;
        try {
            int version = ctx.apiVersion() >= 2 ? marker.transactionVersion() : 0;
            r = partition.appendTxnMarker(marker.producerId(), marker.producerEpoch(), marker.coordinatorEpoch(),
                    marker.transactionResult(), version, (short) -1, System.currentTimeMillis());
        } catch (Exception e) {
            pr.setErrorCode(ApiErrors.of(e, "write a transaction marker to " + tp).code());
            return null;
        }
        services.replicas().onAppend(tp);
        long markerOffset = r.firstOffset();
        return services.replicas().awaitReplication(tp, r.lastOffset() + 1, r.leaderEpoch(), timeoutMs).thenAccept(err -> {
            pr.setErrorCode(err.code());
            if (err == Errors.NONE && Topic.GROUP_METADATA_TOPIC_NAME.equals(topicName)) {
                try {
                    services.replicas().transactionMarkerListener().markerWritten(tp, marker.producerId(), marker.producerEpoch(),
                            marker.transactionResult(), markerOffset);
                } catch (RuntimeException e) {
                    LOG.warning("TRIB-TXN-001 the transaction marker listener failed for " + tp + ": " + e);
                }
            }
        });
    }
}
