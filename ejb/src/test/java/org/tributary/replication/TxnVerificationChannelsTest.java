package org.tributary.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.RequestUtils;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.network.InterBroker;

/**
 * The verification channel against a stand-in coordinator on a local socket: questions waiting
 * while one request is in flight leave together in the next, the coordinator's answers come back
 * per transactional id (PRODUCER_FENCED as INVALID_PRODUCER_EPOCH), a coordinator that does not
 * answer in time gives NETWORK_EXCEPTION, and without a coordinator COORDINATOR_NOT_AVAILABLE.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TxnVerificationChannelsTest {
    private static final TopicPartition A = new TopicPartition("data", 0);
    private static final TopicPartition B = new TopicPartition("data", 1);
    private ServerSocket server;
    private TxnVerificationChannels channels;
    /** The transactional ids of each request the stand-in received. */
    private final List<List<String>> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() throws IOException {
        if (channels != null) {
            channels.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private static MetadataImage image(int coordinatorPort) {
        Uuid txnTopic = Uuid.randomUuid();
        return MetadataDelta.apply(MetadataImage.EMPTY, List.of(
                new MetadataRecord.RegisterBrokerRecord(1, Uuid.randomUuid(), 1L, "127.0.0.1", coordinatorPort, 0, null, false, false, null),
                new MetadataRecord.TopicRecord(Topic.TRANSACTION_STATE_TOPIC_NAME, txnTopic),
                new MetadataRecord.PartitionRecord(txnTopic, 0, List.of(1), List.of(1), 1, 0, 0, List.of(), List.of())), 0, 0);
    }

    /**
     * A coordinator that answers each transaction: partition A in it, others TRANSACTION_ABORTABLE,
     * id "fenced" PRODUCER_FENCED; the first answer waits for {@code firstAnswer}; never answers when {@code mute}.
     */
    private int coordinator(CountDownLatch firstAnswer, boolean mute) throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = server.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                boolean first = true;
                while (true) {
                    byte[] frame = new byte[in.readInt()];
                    in.readFully(frame);
                    ByteBuffer buf = ByteBuffer.wrap(frame);
                    RequestHeader h = RequestHeader.parse(buf);
                    AddPartitionsToTxnRequestData req = new AddPartitionsToTxnRequestData(new ByteBufferAccessor(buf), h.apiVersion());
                    requests.add(req.transactions().stream().map(AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction::transactionalId)
                            .toList());
                    if (mute) {
                        continue;
                    }
                    if (first) {
                        firstAnswer.await();
                        first = false;
                    }
                    AddPartitionsToTxnResponseData resp = new AddPartitionsToTxnResponseData();
                    for (AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction txn : req.transactions()) {
                        Map<TopicPartition, Errors> errors = new java.util.HashMap<>();
                        txn.topics().forEach(topic -> topic.partitions().forEach(p -> {
                            TopicPartition tp = new TopicPartition(topic.name(), p);
                            errors.put(tp, txn.transactionalId().equals("fenced") ? Errors.PRODUCER_FENCED
                                    : tp.equals(A) ? Errors.NONE : Errors.TRANSACTION_ABORTABLE);
                        }));
                        resp.resultsByTransaction().add(AddPartitionsToTxnResponse.resultForTransaction(txn.transactionalId(), errors));
                    }
                    ByteBuffer payload = RequestUtils.serialize(h.toResponseHeader().data(), h.toResponseHeader().headerVersion(), resp,
                            h.apiVersion());
                    byte[] framed = new byte[4 + payload.remaining()];
                    ByteBuffer.wrap(framed).putInt(payload.remaining()).put(payload);
                    out.write(framed);
                    out.flush();
                }
            } catch (IOException | InterruptedException | RuntimeException e) {
                // closed by the test
            }
        }, "stand-in-coordinator");
        t.setDaemon(true);
        t.start();
        return server.getLocalPort();
    }

    private TxnVerificationChannels channels(MetadataImage img, int timeoutMs) {
        channels = new TxnVerificationChannels(2, () -> img, InterBroker.PLAINTEXT, id -> 0, timeoutMs);
        return channels;
    }

    @Test
    void questionsWaitingForAnAnswerLeaveTogetherAndAreAnsweredPerTransaction() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TxnVerificationChannels c = channels(image(coordinator(release, false)), 10_000);
        CompletableFuture<Map<TopicPartition, Errors>> first = c.verify("t1", 1L, (short) 0, Set.of(A));
        Await.until(() -> requests.size() == 1);
        CompletableFuture<Map<TopicPartition, Errors>> second = c.verify("t2", 2L, (short) 0, Set.of(A, B));
        CompletableFuture<Map<TopicPartition, Errors>> third = c.verify("fenced", 3L, (short) 0, Set.of(A));
        assertFalse(second.isDone());
        release.countDown();
        assertEquals(Map.of(), first.get(10, TimeUnit.SECONDS), "all in: nothing failed");
        assertEquals(Map.of(B, Errors.TRANSACTION_ABORTABLE), second.get(10, TimeUnit.SECONDS));
        assertEquals(Map.of(A, Errors.INVALID_PRODUCER_EPOCH), third.get(10, TimeUnit.SECONDS));
        assertEquals(List.of(List.of("t1"), List.of("t2", "fenced")), requests, "the two waiting questions went in one request");
        assertEquals(Map.of(1, 2L), c.exchangesByBroker());
    }

    @Test
    void aSecondQuestionForTheSameTransactionalIdReplacesTheWaitingOne() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TxnVerificationChannels c = channels(image(coordinator(release, false)), 10_000);
        CompletableFuture<Map<TopicPartition, Errors>> inFlight = c.verify("other", 9L, (short) 0, Set.of(A));
        Await.until(() -> requests.size() == 1);
        CompletableFuture<Map<TopicPartition, Errors>> waiting = c.verify("t1", 1L, (short) 0, Set.of(A));
        CompletableFuture<Map<TopicPartition, Errors>> retry = c.verify("t1", 1L, (short) 0, Set.of(A));
        assertEquals(Map.of(A, Errors.NETWORK_EXCEPTION), waiting.get(10, TimeUnit.SECONDS), "same epoch: the client is retrying");
        CompletableFuture<Map<TopicPartition, Errors>> older = c.verify("t1", 1L, (short) -1, Set.of(B));
        assertEquals(Map.of(B, Errors.INVALID_PRODUCER_EPOCH), older.get(10, TimeUnit.SECONDS));
        release.countDown();
        assertEquals(Map.of(), inFlight.get(10, TimeUnit.SECONDS));
        assertEquals(Map.of(), retry.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aCoordinatorThatDoesNotAnswerInTimeGivesARetriableError() throws Exception {
        TxnVerificationChannels c = channels(image(coordinator(new CountDownLatch(0), true)), 300);
        assertEquals(Map.of(A, Errors.NETWORK_EXCEPTION, B, Errors.NETWORK_EXCEPTION),
                c.verify("t1", 1L, (short) 0, Set.of(A, B)).get(10, TimeUnit.SECONDS));
    }

    @Test
    void withoutACoordinatorTheAnswerIsCoordinatorNotAvailable() throws Exception {
        TxnVerificationChannels c = channels(MetadataImage.EMPTY, 1_000);
        assertEquals(Map.of(A, Errors.COORDINATOR_NOT_AVAILABLE), c.verify("t1", 1L, (short) 0, Set.of(A)).get(1, TimeUnit.SECONDS));
    }

    /** Waits for a condition without a fixed sleep. */
    private static final class Await {
        static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!condition.getAsBoolean()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("condition not met within 10 s");
                }
                Thread.sleep(5);
            }
        }
    }
}
