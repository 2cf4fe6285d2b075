package org.tributary.server;

import java.io.IOException;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;

/**
 * Raw requests of a transactional client (a producer whose steps the test chooses, e.g. one that
 * skips AddPartitionsToTxn): InitProducerId, AddPartitionsToTxn v3, Produce at a chosen version,
 * EndTxn v4, AddOffsetsToTxn and TxnOffsetCommit.
 */
final class TxnClientRequests {
    private TxnClientRequests() {
    }

    /** The producer id and epoch InitProducerId gave. */
    record ProducerIdAndEpoch(long id, short epoch) {
    }

    /** The broker id of {@code transactionalId}'s coordinator, or -1 while there is none. */
    static int findCoordinator(RawClient c, String transactionalId) throws IOException {
        return findCoordinator(c, FindCoordinatorRequest.CoordinatorType.TRANSACTION, transactionalId);
    }

    /** The broker id of the coordinator of {@code key} (a group id or a transactional id), or -1 while there is none. */
    static int findCoordinator(RawClient c, FindCoordinatorRequest.CoordinatorType type, String key) throws IOException {
        FindCoordinatorRequestData data = new FindCoordinatorRequestData().setKeyType(type.id()).setCoordinatorKeys(List.of(key));
        FindCoordinatorResponse r = c.send(new FindCoordinatorRequest.Builder(data).build((short) 4));
        var coordinator = r.data().coordinators().get(0);
        return coordinator.errorCode() == Errors.NONE.code() ? coordinator.nodeId() : -1;
    }

    /**
     * InitProducerId for {@code transactionalId} (FindCoordinator first, which creates
     * {@code __transaction_state}), asked again while the coordinator is loading or busy.
     */
    static ProducerIdAndEpoch initProducerId(RawClient c, String transactionalId) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (findCoordinator(c, transactionalId) < 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        while (true) {
            InitProducerIdResponse r = c.send(new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                    .setTransactionalId(transactionalId).setTransactionTimeoutMs(60_000).setProducerId(-1L).setProducerEpoch((short) -1))
                    .build((short) 4));
            Errors e = Errors.forCode(r.data().errorCode());
            if (e == Errors.NONE) {
                return new ProducerIdAndEpoch(r.data().producerId(), r.data().producerEpoch());
            }
            boolean retriable = e == Errors.CONCURRENT_TRANSACTIONS || e == Errors.COORDINATOR_LOAD_IN_PROGRESS
                    || e == Errors.COORDINATOR_NOT_AVAILABLE || e == Errors.NOT_COORDINATOR;
            if (!retriable || System.currentTimeMillis() > deadline) {
                throw new AssertionError("InitProducerId answered " + e);
            }
            Thread.sleep(50);
        }
    }

    static Errors addPartitions(RawClient c, String transactionalId, ProducerIdAndEpoch p, TopicPartition... partitions)
            throws IOException {
        AddPartitionsToTxnResponse r = c.send(AddPartitionsToTxnRequest.Builder.forClient(transactionalId, p.id(), p.epoch(),
                List.of(partitions)).build((short) 3));
        return r.errors().values().iterator().next().values().iterator().next();
    }

    static Errors endTxn(RawClient c, String transactionalId, ProducerIdAndEpoch p, boolean commit) throws IOException {
        EndTxnResponse r = c.send(new EndTxnRequest.Builder(new EndTxnRequestData().setTransactionalId(transactionalId)
                .setProducerId(p.id()).setProducerEpoch(p.epoch()).setCommitted(commit), false).build((short) 4));
        return Errors.forCode(r.data().errorCode());
    }

    static Errors addOffsets(RawClient c, String transactionalId, ProducerIdAndEpoch p, String group) throws IOException {
        AddOffsetsToTxnResponse r = c.send(new AddOffsetsToTxnRequest.Builder(new AddOffsetsToTxnRequestData()
                .setTransactionalId(transactionalId).setProducerId(p.id()).setProducerEpoch(p.epoch()).setGroupId(group))
                .build((short) 4));
        return Errors.forCode(r.data().errorCode());
    }

    /** TxnOffsetCommit of one partition's offset at {@code version}; returns its error. */
    static Errors txnOffsetCommit(RawClient c, short version, String transactionalId, ProducerIdAndEpoch p, String group,
            TopicPartition tp, long offset) throws IOException {
        TxnOffsetCommitRequestData data = new TxnOffsetCommitRequestData().setTransactionalId(transactionalId).setGroupId(group)
                .setProducerId(p.id()).setProducerEpoch(p.epoch()).setGenerationId(-1).setMemberId("")
                .setTopics(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(tp.topic())
                        .setPartitions(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                                .setPartitionIndex(tp.partition()).setCommittedOffset(offset).setCommittedLeaderEpoch(-1)))));
        TxnOffsetCommitResponse r = c.send(new TxnOffsetCommitRequest.Builder(data).build(version));
        return Errors.forCode(r.data().topics().get(0).partitions().get(0).errorCode());
    }

    /** Produces {@code records} (acks=all) at Produce {@code version}; returns the partition's answer. */
    static Errors produce(RawClient c, short version, String transactionalId, TopicPartition tp, MemoryRecords records)
            throws IOException {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000).setTransactionalId(transactionalId);
        ProduceRequestData.TopicProduceData td = new ProduceRequestData.TopicProduceData().setName(tp.topic());
        td.partitionData().add(new ProduceRequestData.PartitionProduceData().setIndex(tp.partition()).setRecords(records));
        data.topicData().add(td);
        ProduceResponse r = c.send(new ProduceRequest.Builder(version, version, data).build(version));
        return Errors.forCode(r.data().responses().iterator().next().partitionResponses().get(0).errorCode());
    }
}
