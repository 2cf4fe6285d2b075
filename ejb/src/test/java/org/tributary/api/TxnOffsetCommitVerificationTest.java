package org.tributary.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.tributary.group.GroupCoordinator;
import org.tributary.partition.Partition;
import org.tributary.partition.ReplicaManager;
import org.tributary.partition.TxnVerifier;
import org.tributary.server.TestBroker;

/**
 * KIP-890 part 1 on the TxnOffsetCommit path, with the transaction coordinator's answer held by
 * the test: a transaction marker that lands on the group's {@code __consumer_offsets} partition
 * between the start of verification and the offsets write spends the guard, so the write is
 * refused (INVALID_TXN_STATE, as Kafka's log refuses it and its group coordinator passes it on)
 * and leaves no transaction open there that no marker would ever end (the last stable offset of
 * the offsets partition is not held). Without the marker, the same verified write goes through.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TxnOffsetCommitVerificationTest {
    private static final TopicPartition CONSUMED = new TopicPartition("guard-consumed", 0);
    private TestBroker broker;
    private Admin admin;

    @BeforeAll
    void start() throws Exception {
        broker = new TestBroker(Map.of("offsets.topic.num.partitions", "3"));
        admin = broker.admin();
        admin.createTopics(List.of(new NewTopic(CONSUMED.topic(), 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** A transaction coordinator whose answers wait until the test releases them. */
    private static final class HeldVerifier implements TxnVerifier {
        final AtomicInteger asked = new AtomicInteger();
        final CompletableFuture<Map<TopicPartition, Errors>> answer = new CompletableFuture<>();

        @Override
        public CompletableFuture<Map<TopicPartition, Errors>> verify(String transactionalId, long producerId, short producerEpoch,
                Set<TopicPartition> partitions) {
            asked.incrementAndGet();
            return answer;
        }
    }

    /** The group's coordinator loaded here (FindCoordinator created {@code __consumer_offsets}). */
    private GroupCoordinator loadedCoordinator(String group) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                return broker.server().groupCoordinator().orElseThrow();
            } catch (java.util.concurrent.ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }

    private RequestContext context(short version) {
        return new RequestContext(new RequestHeader(ApiKeys.TXN_OFFSET_COMMIT, version, "guard-test", 1), "guard-test",
                InetAddress.getLoopbackAddress(), broker.server().image());
    }

    private static TxnOffsetCommitRequestData request(String transactionalId, long producerId, short epoch, String group, long offset) {
        TxnOffsetCommitRequestData data = new TxnOffsetCommitRequestData().setTransactionalId(transactionalId).setGroupId(group)
                .setProducerId(producerId).setProducerEpoch(epoch).setGenerationId(-1).setMemberId("");
        data.topics().add(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic().setName(CONSUMED.topic())
                .setPartitions(List.of(new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                        .setPartitionIndex(CONSUMED.partition()).setCommittedOffset(offset).setCommittedLeaderEpoch(-1))));
        return data;
    }

    private static Errors error(CompletionStage<ApiMessage> answer) throws Exception {
        TxnOffsetCommitResponseData r = (TxnOffsetCommitResponseData) answer.toCompletableFuture().get(30, TimeUnit.SECONDS);
        return Errors.forCode(r.topics().get(0).partitions().get(0).errorCode());
    }

    private static boolean openTransactionOf(Partition p, long producerId) {
        return p.activeProducers().stream().anyMatch(v -> v.producerId() == producerId && v.currentTxnStartOffset() >= 0);
    }

    @Test
    void aMarkerBetweenVerificationAndTheOffsetsWriteRefusesTheWrite() throws Exception {
        String group = "guard-raced";
        long producerId = 4_001L;
        short epoch = 0;
        GroupCoordinator groups = loadedCoordinator(group);
        ReplicaManager replicas = broker.server().replicaManager().orElseThrow();
        Partition offsets = replicas.partition(new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, groups.partitionFor(group)))
                .orElseThrow();
        HeldVerifier verifier = new HeldVerifier();
        TxnOffsetCommitHandler handler = new TxnOffsetCommitHandler(groups, RequestAuthorizer.NONE, replicas, verifier, Runnable::run);

        CompletionStage<ApiMessage> answer = handler.txnOffsetCommit(context((short) 4), request("guard-1", producerId, epoch, group, 5));
        assertEquals(1, verifier.asked.get(), "the transaction coordinator is asked first");
        assertFalse(answer.toCompletableFuture().isDone(), "the commit waits for its answer");

        // the transaction ends meanwhile (e.g. aborted on timeout): its marker reaches the offsets partition
        offsets.appendTxnMarker(producerId, epoch, 0, false, 1, (short) -1, System.currentTimeMillis());
        long end = offsets.logEndOffset();
        verifier.answer.complete(Map.of()); // the coordinator had confirmed before it ended the transaction

        assertEquals(Errors.INVALID_TXN_STATE, error(answer), "the late offsets write must not open a new transaction");
        assertEquals(end, offsets.logEndOffset(), "nothing written to __consumer_offsets");
        assertFalse(openTransactionOf(offsets, producerId), "no hanging transaction on the offsets partition");
        assertEquals(offsets.highWatermark(), offsets.lastStableOffset(), "the last stable offset is not held");
        assertTrue(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS).isEmpty(),
                "no offset committed");
    }

    @Test
    void aVerifiedOffsetsWriteWithNothingInBetweenGoesThrough() throws Exception {
        String group = "guard-calm";
        long producerId = 4_002L;
        short epoch = 0;
        GroupCoordinator groups = loadedCoordinator(group);
        ReplicaManager replicas = broker.server().replicaManager().orElseThrow();
        Partition offsets = replicas.partition(new TopicPartition(Topic.GROUP_METADATA_TOPIC_NAME, groups.partitionFor(group)))
                .orElseThrow();
        HeldVerifier verifier = new HeldVerifier();
        TxnOffsetCommitHandler handler = new TxnOffsetCommitHandler(groups, RequestAuthorizer.NONE, replicas, verifier, Runnable::run);

        CompletionStage<ApiMessage> answer = handler.txnOffsetCommit(context((short) 4), request("guard-2", producerId, epoch, group, 9));
        verifier.answer.complete(Map.of());
        assertEquals(Errors.NONE, error(answer));
        assertTrue(openTransactionOf(offsets, producerId), "the offsets are written in the producer's transaction");

        // a second commit in the same transaction needs no verification: the transaction is open there
        HeldVerifier unused = new HeldVerifier();
        TxnOffsetCommitHandler again = new TxnOffsetCommitHandler(groups, RequestAuthorizer.NONE, replicas, unused, Runnable::run);
        assertEquals(Errors.NONE, error(again.txnOffsetCommit(context((short) 4), request("guard-2", producerId, epoch, group, 10))));
        assertEquals(0, unused.asked.get());

        offsets.appendTxnMarker(producerId, epoch, 0, false, 1, (short) -1, System.currentTimeMillis());
        assertFalse(openTransactionOf(offsets, producerId), "the marker ends it");
        assertEquals(offsets.highWatermark(), offsets.lastStableOffset());
    }
}
