package org.tributary.replication;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.ToIntFunction;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.TopicImage;
import org.tributary.network.InterBroker;
import org.tributary.partition.TxnVerifier;

/**
 * Transaction verification for partition leaders (KIP-890 part 1), as Kafka's
 * AddPartitionsToTxnManager: each question goes to the leader of the transactional id's
 * {@code __transaction_state} partition over the inter-broker listener (TLS/SASL as configured),
 * batched per coordinator broker in AddPartitionsToTxn's broker form with {@code verify_only=true}:
 * while one request to a broker is in flight, new questions wait and leave together in the next.
 * One thread and connection per coordinator broker; nothing blocks the caller.
 *
 * <p>Answers, as Kafka's: no coordinator leader known, COORDINATOR_NOT_AVAILABLE; a failed or
 * timed-out exchange, NETWORK_EXCEPTION; a refused request (CLUSTER_AUTHORIZATION_FAILED),
 * INVALID_TXN_STATE; PRODUCER_FENCED becomes INVALID_PRODUCER_EPOCH. A second question for the same
 * transactional id while the first waits replaces it: the waiting one is answered NETWORK_EXCEPTION
 * (same epoch, a retry) or INVALID_PRODUCER_EPOCH (older epoch).
 */
public final class TxnVerificationChannels implements TxnVerifier, Closeable {
    private static final Logger LOG = Logger.getLogger(TxnVerificationChannels.class.getName());
    private static final short VERSION = 5;

    private final int localId;
    private final Supplier<MetadataImage> image;
    private final InterBroker interBroker;
    private final ToIntFunction<String> partitionFor;
    private final int timeoutMs;
    private final Map<Integer, Destination> destinations = new ConcurrentHashMap<>();
    private final Map<Integer, java.util.concurrent.atomic.LongAdder> exchanges = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A question waiting to be sent. */
    private record Question(AddPartitionsToTxnTransaction data, Set<TopicPartition> partitions,
            CompletableFuture<Map<TopicPartition, Errors>> answer) {
    }

    /** One coordinator broker: its thread, its connection and the questions waiting for it (guarded by this). */
    private final class Destination {
        final ExecutorService thread;
        final BrokerChannel channel;
        final Map<String, Question> waiting = new LinkedHashMap<>();
        boolean draining;
        InetSocketAddress address;
        final int brokerId;

        Destination(int brokerId) {
            this.brokerId = brokerId;
            this.thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "tributary-txn-verify-" + localId + "-to-" + brokerId);
                t.setDaemon(true);
                return t;
            });
            this.channel = new BrokerChannel("tributary-txn-verify-" + localId, 10_000, interBroker.tls(), interBroker.sasl());
        }
    }

    /**
     * @param partitionFor the {@code __transaction_state} partition of a transactional id
     * @param timeoutMs how long one exchange may take (Kafka: request.timeout.ms); then NETWORK_EXCEPTION
     */
    public TxnVerificationChannels(int localId, Supplier<MetadataImage> image, InterBroker interBroker, ToIntFunction<String> partitionFor,
            int timeoutMs) {
        this.localId = localId;
        this.image = image;
        this.interBroker = interBroker;
        this.partitionFor = partitionFor;
        this.timeoutMs = timeoutMs;
    }

    @Override
    public CompletableFuture<Map<TopicPartition, Errors>> verify(String transactionalId, long producerId, short producerEpoch,
            Set<TopicPartition> partitions) {
        MetadataImage img = image.get();
        int coordinator = coordinatorOf(img, transactionalId);
        InetSocketAddress address = coordinator < 0 ? null : addressOf(img, coordinator);
        if (address == null || closed) {
            return CompletableFuture.completedFuture(uniform(partitions, Errors.COORDINATOR_NOT_AVAILABLE));
        }
        AddPartitionsToTxnTransaction data = new AddPartitionsToTxnTransaction().setTransactionalId(transactionalId)
                .setProducerId(producerId).setProducerEpoch(producerEpoch).setVerifyOnly(true);
        Map<String, List<Integer>> byTopic = new LinkedHashMap<>();
        partitions.forEach(tp -> byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition()));
        byTopic.forEach((topic, ids) -> data.topics().add(new AddPartitionsToTxnTopic().setName(topic).setPartitions(ids)));
        Question q = new Question(data, Set.copyOf(partitions), new CompletableFuture<>());
        Destination d = destinations.computeIfAbsent(coordinator, Destination::new);
        Question replaced = null;
        boolean startDrain = false;
        synchronized (d) {
            Question existing = d.waiting.get(transactionalId);
            if (existing != null && existing.data.producerEpoch() > producerEpoch) {
                return CompletableFuture.completedFuture(uniform(partitions, Errors.INVALID_PRODUCER_EPOCH));
            }
            if (existing != null) {
                replaced = existing;
            }
            d.waiting.put(transactionalId, q);
            d.address = address;
            if (!d.draining) {
                d.draining = true;
                startDrain = true;
            }
        }
        if (replaced != null) {
            replaced.answer.complete(uniform(replaced.partitions, replaced.data.producerEpoch() < producerEpoch
                    ? Errors.INVALID_PRODUCER_EPOCH : Errors.NETWORK_EXCEPTION));
        }
        if (startDrain) {
            try {
                d.thread.execute(() -> drain(d));
            } catch (RejectedExecutionException e) {
                q.answer.complete(uniform(partitions, Errors.COORDINATOR_NOT_AVAILABLE));
            }
        }
        return q.answer;
    }

    /** Sends what waits for {@code d}, one request at a time, until nothing does. */
    private void drain(Destination d) {
        while (true) {
            List<Question> batch;
            InetSocketAddress address;
            synchronized (d) {
                if (d.waiting.isEmpty() || closed) {
                    d.draining = false;
                    batch = new ArrayList<>(d.waiting.values());
                    d.waiting.clear();
                    batch.forEach(q -> q.answer.complete(uniform(q.partitions, Errors.COORDINATOR_NOT_AVAILABLE)));
                    return;
                }
                batch = new ArrayList<>(d.waiting.values());
                d.waiting.clear();
                address = d.address;
            }
            exchange(d, address, batch);
        }
    }

    private void exchange(Destination d, InetSocketAddress address, List<Question> batch) {
        AddPartitionsToTxnTransactionCollection txns = new AddPartitionsToTxnTransactionCollection(batch.size());
        batch.forEach(q -> txns.add(q.data.duplicate()));
        Map<String, Question> byId = new HashMap<>();
        batch.forEach(q -> byId.put(q.data.transactionalId(), q));
        exchanges.computeIfAbsent(d.brokerId, id -> new java.util.concurrent.atomic.LongAdder()).increment();
        try {
            d.channel.target(address);
            AddPartitionsToTxnResponseData resp = d.channel.send(ApiKeys.ADD_PARTITIONS_TO_TXN, VERSION,
                    new AddPartitionsToTxnRequestData().setTransactions(txns), AddPartitionsToTxnResponseData::new, timeoutMs);
            if (resp.errorCode() != Errors.NONE.code()) {
                Errors e = resp.errorCode() == Errors.CLUSTER_AUTHORIZATION_FAILED.code() ? Errors.INVALID_TXN_STATE
                        : Errors.forCode(resp.errorCode());
                LOG.warning("TRIB-TXN-020 AddPartitionsToTxn (verify) to broker " + address + " answered " + Errors.forCode(resp.errorCode()));
                batch.forEach(q -> q.answer.complete(uniform(q.partitions, e)));
                return;
            }
            for (AddPartitionsToTxnResponseData.AddPartitionsToTxnResult r : resp.resultsByTransaction()) {
                Question q = byId.remove(r.transactionalId());
                if (q == null) {
                    continue;
                }
                Map<TopicPartition, Errors> failed = new HashMap<>();
                for (AddPartitionsToTxnResponseData.AddPartitionsToTxnTopicResult t : r.topicResults()) {
                    for (AddPartitionsToTxnResponseData.AddPartitionsToTxnPartitionResult p : t.resultsByPartition()) {
                        Errors e = Errors.forCode(p.partitionErrorCode());
                        if (e != Errors.NONE) {
                            failed.put(new TopicPartition(t.name(), p.partitionIndex()), e == Errors.PRODUCER_FENCED
                                    ? Errors.INVALID_PRODUCER_EPOCH : e);
                        }
                    }
                }
                q.answer.complete(failed);
            }
            byId.values().forEach(q -> q.answer.complete(uniform(q.partitions, Errors.NETWORK_EXCEPTION)));
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "AddPartitionsToTxn (verify) to " + address + " failed: " + e);
            batch.forEach(q -> q.answer.complete(uniform(q.partitions, Errors.NETWORK_EXCEPTION)));
        }
    }

    /** How many verification requests went to each coordinator broker (batched questions count once). */
    public Map<Integer, Long> exchangesByBroker() {
        Map<Integer, Long> out = new HashMap<>();
        exchanges.forEach((id, n) -> out.put(id, n.sum()));
        return out;
    }

    private int coordinatorOf(MetadataImage img, String transactionalId) {
        TopicImage t = img == null ? null : img.topic(Topic.TRANSACTION_STATE_TOPIC_NAME).orElse(null);
        if (t == null) {
            return -1;
        }
        int partition = partitionFor.applyAsInt(transactionalId);
        return partition < t.partitionCount() ? t.partition(partition).leader() : -1;
    }

    private InetSocketAddress addressOf(MetadataImage img, int brokerId) {
        BrokerRegistration b = img.broker(brokerId).orElse(null);
        return b == null || b.fenced() ? null
                : b.endpoint(interBroker.listener()).map(e -> new InetSocketAddress(e.host(), e.port())).orElse(null);
    }

    private static Map<TopicPartition, Errors> uniform(Set<TopicPartition> partitions, Errors e) {
        Map<TopicPartition, Errors> out = new HashMap<>();
        partitions.forEach(tp -> out.put(tp, e));
        return out;
    }

    @Override
    public void close() {
        closed = true;
        destinations.values().forEach(d -> {
            d.thread.shutdownNow();
            d.channel.close();
            List<Question> left;
            synchronized (d) { // a drain that never ran would leave them unanswered
                left = new ArrayList<>(d.waiting.values());
                d.waiting.clear();
            }
            left.forEach(q -> q.answer.complete(uniform(q.partitions, Errors.COORDINATOR_NOT_AVAILABLE)));
        });
    }
}
