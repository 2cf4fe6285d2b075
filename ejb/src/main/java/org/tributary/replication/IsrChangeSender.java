package org.tributary.replication;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.controller.ControllerClient;
import org.tributary.partition.IsrChange;

/**
 * Sends the ISR changes this broker's partition leaders propose to the active controller as
 * Kafka's AlterPartition: everything queued goes in one request, one request at a time (as Kafka's
 * AlterPartitionManager batches), and each change's answer goes back to its partition. A failed
 * request (no controller, timeout) answers every change in it with the error: the partition
 * proposes again on its next follower fetch or ISR check. Thread-safe.
 */
public final class IsrChangeSender implements java.util.function.Consumer<IsrChange> {
    private static final Logger LOG = Logger.getLogger(IsrChangeSender.class.getName());
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    /** Where each answer goes: the change, its error, and the controller's committed leader epoch, ISR and partition epoch. */
    @FunctionalInterface
    public interface Answers {
        void answered(IsrChange change, Errors error, int leaderEpoch, List<Integer> isr, int partitionEpoch);
    }

    private final ControllerClient controller;
    private final IntSupplier brokerId;
    private final LongSupplier brokerEpoch;
    private final Answers answers;
    private final ConcurrentLinkedQueue<IsrChange> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean inFlight = new AtomicBoolean();

    public IsrChangeSender(ControllerClient controller, IntSupplier brokerId, LongSupplier brokerEpoch, Answers answers) {
        this.controller = controller;
        this.brokerId = brokerId;
        this.brokerEpoch = brokerEpoch;
        this.answers = answers;
    }

    @Override
    public void accept(IsrChange change) {
        queue.add(change);
        maybeSend();
    }

    private void maybeSend() {
        while (!queue.isEmpty() && inFlight.compareAndSet(false, true)) {
            List<IsrChange> batch = new ArrayList<>();
            for (IsrChange c; (c = queue.poll()) != null;) {
                batch.add(c);
            }
            if (batch.isEmpty()) {
                inFlight.set(false);
                continue;
            }
            send(batch);
            return;
        }
    }

    private void send(List<IsrChange> batch) {
        AlterPartitionRequestData req = new AlterPartitionRequestData().setBrokerId(brokerId.getAsInt())
                .setBrokerEpoch(brokerEpoch.getAsLong());
        Map<Uuid, AlterPartitionRequestData.TopicData> topics = new LinkedHashMap<>();
        for (IsrChange c : batch) {
            List<AlterPartitionRequestData.BrokerState> isr = new ArrayList<>();
            c.newIsr().forEach(m -> isr.add(new AlterPartitionRequestData.BrokerState().setBrokerId(m.brokerId())
                    .setBrokerEpoch(m.brokerEpoch())));
            topics.computeIfAbsent(c.topicId(), id -> new AlterPartitionRequestData.TopicData().setTopicId(id))
                    .partitions().add(new AlterPartitionRequestData.PartitionData().setPartitionIndex(c.topicPartition().partition())
                            .setLeaderEpoch(c.leaderEpoch()).setPartitionEpoch(c.partitionEpoch()).setNewIsrWithEpochs(isr));
        }
        req.setTopics(new ArrayList<>(topics.values()));
        controller.send(req, AlterPartitionResponseData.class, TIMEOUT).whenComplete((resp, err) -> {
            try {
                deliver(batch, resp, err);
            } finally {
                inFlight.set(false);
                maybeSend();
            }
        });
    }

    private void deliver(List<IsrChange> batch, AlterPartitionResponseData resp, Throwable err) {
        Errors top = err != null ? Errors.REQUEST_TIMED_OUT : Errors.forCode(resp.errorCode());
        if (err != null) {
            LOG.info(() -> "TRIB-REPL-010 ISR changes for " + batch.size() + " partition(s) got no answer from the controller ("
                    + ControllerClient.translator().apply(err).getMessage() + "); they are proposed again later");
        } else if (top != Errors.NONE) {
            LOG.info(() -> "TRIB-REPL-011 the controller refused " + batch.size() + " ISR change(s): " + top);
        }
        for (IsrChange c : batch) {
            if (top != Errors.NONE) {
                answers.answered(c, top, -1, List.of(), -1);
                continue;
            }
            AlterPartitionResponseData.PartitionData found = null;
            for (AlterPartitionResponseData.TopicData t : resp.topics()) {
                if (t.topicId().equals(c.topicId())) {
                    for (AlterPartitionResponseData.PartitionData p : t.partitions()) {
                        if (p.partitionIndex() == c.topicPartition().partition()) {
                            found = p;
                        }
                    }
                }
            }
            if (found == null) {
                answers.answered(c, Errors.UNKNOWN_SERVER_ERROR, -1, List.of(), -1);
            } else {
                Errors e = Errors.forCode(found.errorCode());
                if (e != Errors.NONE) {
                    LOG.fine(() -> "ISR change of " + c.topicPartition() + " refused: " + e);
                }
                answers.answered(c, e, found.leaderEpoch(), found.isr(), found.partitionEpoch());
            }
        }
    }
}
