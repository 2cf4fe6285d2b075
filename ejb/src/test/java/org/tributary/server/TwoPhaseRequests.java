package org.tributary.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;

/**
 * The coordinator requests of a KIP-939 producer, raw: kafka-clients 4.3.1 never sends
 * InitProducerId v6 (it is marked unstable there), so these tests speak it themselves.
 */
final class TwoPhaseRequests {
    private static final AtomicInteger CORRELATION = new AtomicInteger();

    private TwoPhaseRequests() {
    }

    /** Sends {@code body} at version {@code v} (any version, unstable ones too) and parses the answer. */
    static AbstractResponse exchange(RawClient c, ApiKeys key, short v, ApiMessage body) throws IOException {
        RequestHeader header = new RequestHeader(key, v, "two-phase", CORRELATION.incrementAndGet());
        ByteBuffer frame = RequestUtils.serialize(header.data(), header.headerVersion(), body, v);
        c.writeFrame(frame);
        return AbstractResponse.parseResponse(c.readFrame(), header);
    }

    static InitProducerIdResponseData init(RawClient c, String id, int timeoutMs, boolean enable2Pc, boolean keepPreparedTxn)
            throws IOException {
        return init(c, id, timeoutMs, enable2Pc, keepPreparedTxn, -1L, (short) -1);
    }

    static InitProducerIdResponseData init(RawClient c, String id, int timeoutMs, boolean enable2Pc, boolean keepPreparedTxn,
            long producerId, short epoch) throws IOException {
        return (InitProducerIdResponseData) exchange(c, ApiKeys.INIT_PRODUCER_ID, (short) 6, new InitProducerIdRequestData()
                .setTransactionalId(id).setTransactionTimeoutMs(timeoutMs).setEnable2Pc(enable2Pc).setKeepPreparedTxn(keepPreparedTxn)
                .setProducerId(producerId).setProducerEpoch(epoch)).data();
    }

    /** AddPartitionsToTxn v3 (a client's request); the set of errors over all partitions. */
    static Set<Errors> addPartitions(RawClient c, String id, long pid, short epoch, String topic, Integer... partitions)
            throws IOException {
        AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection();
        topics.add(new AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic().setName(topic).setPartitions(List.of(partitions)));
        AddPartitionsToTxnResponseData r = (AddPartitionsToTxnResponseData) exchange(c, ApiKeys.ADD_PARTITIONS_TO_TXN, (short) 3,
                new AddPartitionsToTxnRequestData().setV3AndBelowTransactionalId(id).setV3AndBelowProducerId(pid)
                        .setV3AndBelowProducerEpoch(epoch).setV3AndBelowTopics(topics)).data();
        Set<Errors> out = new java.util.HashSet<>();
        r.resultsByTopicV3AndBelow().forEach(t -> t.resultsByPartition().forEach(p -> out.add(Errors.forCode(p.partitionErrorCode()))));
        return out;
    }

    static Errors endTxn(RawClient c, String id, long pid, short epoch, boolean commit) throws IOException {
        EndTxnResponseData r = (EndTxnResponseData) exchange(c, ApiKeys.END_TXN, (short) 4, new EndTxnRequestData()
                .setTransactionalId(id).setProducerId(pid).setProducerEpoch(epoch).setCommitted(commit)).data();
        return Errors.forCode(r.errorCode());
    }

    /** FindCoordinator for a transactional id: the coordinator's node id, or -1 while there is none. */
    static int coordinator(RawClient c, String id) throws IOException {
        FindCoordinatorResponseData r = (FindCoordinatorResponseData) exchange(c, ApiKeys.FIND_COORDINATOR, (short) 4,
                new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(List.of(id))).data();
        FindCoordinatorResponseData.Coordinator co = r.coordinators().get(0);
        return co.errorCode() == 0 ? co.nodeId() : -1;
    }
}
