package org.tributary.api;

import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.tributary.metrics.BrokerMetrics;
import org.tributary.metrics.TopicMetrics;

/**
 * The per-topic counters a fetch answer moves, as {@link FetchHandler} builds it: bytes and offsets
 * delivered, or a failed partition, for each partition of an existing topic. A follower's fetch is
 * replication traffic and counts nothing here. Counting never fails a fetch.
 */
final class FetchCounts {
    private FetchCounts() {
    }

    /** Counts what the answer carries per existing topic: bytes, offsets delivered, failed partitions. */
    static void count(BrokerMetrics metrics, FetchHandler.Result result) {
        if (result.follower) {
            return; // replication traffic is not consumer traffic
        }
        for (FetchHandler.Part part : result.parts) {
            if (!part.known()) {
                continue;
            }
            TopicMetrics counters = metrics.topic(part.topicName());
            FetchResponseData.PartitionData pd = part.data();
            if (pd.errorCode() != Errors.NONE.code()) {
                counters.fetchFailed();
            } else {
                Records records = (Records) pd.records();
                counters.fetched(offsetsDelivered(records, part.wanted().fetchOffset), records.sizeInBytes());
            }
        }
    }

    /**
     * Offsets from the fetch offset to the end of the last whole batch in {@code records} (a
     * trailing partial batch is not delivered). Reads one small header per batch, from the page
     * cache the response is about to be sent from.
     */
    static long offsetsDelivered(Records records, long fetchOffset) {
        if (records.sizeInBytes() == 0) {
            return 0;
        }
        try {
            long first = -1;
            RecordBatch last = null;
            for (RecordBatch b : records.batches()) {
                if (first < 0) {
                    first = b.baseOffset();
                }
                last = b;
            }
            return last == null ? 0 : Math.max(0, last.lastOffset() + 1 - Math.max(first, fetchOffset));
        } catch (RuntimeException e) {
            return 0; // a counter never fails a fetch; sending the same bytes reports the problem
        }
    }
}
