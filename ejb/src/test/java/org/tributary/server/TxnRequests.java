package org.tributary.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;

/**
 * Raw requests of the transaction data path, without a transaction coordinator: transactional
 * batches with producer ids the test chooses, and the markers a coordinator would send.
 */
final class TxnRequests {
    private TxnRequests() {
    }

    static MemoryRecords txnRecords(long pid, short epoch, int seq, String... values) {
        SimpleRecord[] recs = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            recs[i] = new SimpleRecord(System.currentTimeMillis(), ("k" + values[i]).getBytes(StandardCharsets.UTF_8),
                    values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withTransactionalRecords(Compression.NONE, pid, epoch, seq, recs);
    }

    /** Produces {@code records} (acks=all) to {@code topic}-{@code partition}; returns the partition's answer. */
    static ProduceResponseData.PartitionProduceResponse produce(RawClient c, String topic, int partition, MemoryRecords records)
            throws IOException {
        return produce(c, "tx-test", topic, partition, records);
    }

    /** As {@link #produce(RawClient, String, int, MemoryRecords)} with the request's transactional id (may be null). */
    static ProduceResponseData.PartitionProduceResponse produce(RawClient c, String transactionalId, String topic, int partition,
            MemoryRecords records) throws IOException {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000).setTransactionalId(transactionalId);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(topic);
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(partition).setRecords(records));
        data.topicData().add(td);
        short v = 12;
        ProduceResponse r = c.send(new ProduceRequest.Builder(v, v, data).build(v));
        return r.data().responses().iterator().next().partitionResponses().get(0);
    }

    /** Sends one marker for {@code partitions} of {@code topic}; returns each partition's error. */
    static List<Errors> marker(RawClient c, long pid, short epoch, int coordinatorEpoch, boolean commit, String topic,
            Integer... partitions) throws IOException {
        WriteTxnMarkersRequestData data = new WriteTxnMarkersRequestData().setMarkers(List.of(
                new WriteTxnMarkersRequestData.WritableTxnMarker().setProducerId(pid).setProducerEpoch(epoch)
                        .setTransactionResult(commit).setCoordinatorEpoch(coordinatorEpoch)
                        .setTopics(List.of(new WriteTxnMarkersRequestData.WritableTxnMarkerTopic().setName(topic)
                                .setPartitionIndexes(List.of(partitions))))));
        short v = 1;
        WriteTxnMarkersResponse r = c.send(new WriteTxnMarkersRequest.Builder(data).build(v));
        List<Errors> out = new ArrayList<>();
        for (WriteTxnMarkersResponseData.WritableTxnMarkerResult m : r.data().markers()) {
            for (WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult t : m.topics()) {
                t.partitions().forEach(p -> out.add(Errors.forCode(p.errorCode())));
            }
        }
        return out;
    }
}
