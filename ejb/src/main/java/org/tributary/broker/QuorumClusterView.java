package org.tributary.broker;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.cluster.BrokerInfo;
import org.tributary.cluster.ClusterView;
import org.tributary.controller.ControllerClient;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataFollower;

/**
 * The cluster as the metadata log says it is: live brokers are the unfenced registrations of the
 * committed image, the controller is the quorum leader, producer ids come in blocks from the
 * controller (written to the log, so never handed out twice, also after a full restart).
 *
 * <p>Thread-safe.
 */
public final class QuorumClusterView implements ClusterView {
    private final String clusterId;
    private final int brokerId;
    private final MetadataFollower metadata;
    private final IntSupplier leaderId;
    private final ControllerClient controller;
    private final LongSupplier brokerEpoch;
    private final Duration timeout;

    public QuorumClusterView(String clusterId, int brokerId, MetadataFollower metadata, IntSupplier leaderId,
            ControllerClient controller, LongSupplier brokerEpoch, Duration timeout) {
        this.clusterId = clusterId;
        this.brokerId = brokerId;
        this.metadata = metadata;
        this.leaderId = leaderId;
        this.controller = controller;
        this.brokerEpoch = brokerEpoch;
        this.timeout = timeout;
    }

    @Override
    public String clusterId() {
        return clusterId;
    }

    @Override
    public int localBrokerId() {
        return brokerId;
    }

    @Override
    public List<BrokerInfo> liveBrokers() {
        return metadata.image().brokers().stream().filter(BrokerRegistration::active)
                .sorted(Comparator.comparingInt(BrokerRegistration::id))
                .map(QuorumClusterView::info).toList();
    }

    static BrokerInfo info(BrokerRegistration b) {
        return new BrokerInfo(b.id(), b.host(), b.kafkaPort(), b.httpPort(), b.rack(), b.endpoints());
    }

    @Override
    public int controllerId() {
        return leaderId.getAsInt();
    }

    @Override
    public long allocateProducerIds(int count) {
        AllocateProducerIdsResponseData resp = controller.call(new AllocateProducerIdsRequestData().setBrokerId(brokerId)
                .setBrokerEpoch(brokerEpoch.getAsLong()), AllocateProducerIdsResponseData.class, timeout);
        Errors error = Errors.forCode(resp.errorCode());
        if (error != Errors.NONE) {
            ApiException e = error.exception("the controller refused a producer id block: " + error.message());
            throw e;
        }
        if (resp.producerIdLen() < count) {
            throw new IllegalStateException("the controller handed out " + resp.producerIdLen() + " producer ids; " + count + " were asked for");
        }
        return resp.producerIdStart();
    }

    @Override
    public long brokerEpoch() {
        return brokerEpoch.getAsLong();
    }
}
