package org.tributary.controller;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.NoOpRecord;
import org.tributary.metadata.MetadataRecord.ProducerIdsRecord;
import org.tributary.metadata.MetadataRecord.ResourceType;

/**
 * The active controller's rules. Each operation is a function of the <em>pending</em> image (the
 * committed image plus every entry this controller appended that has not committed yet, as Kafka's
 * controller works), the request and the time; it returns the records to append as one entry and
 * the response. Nothing here does I/O, starts threads or reads a clock.
 *
 * <p>How to drive it: on winning an election, build a new controller with the election time and
 * append {@link #activationRecords()}; the pending image starts as the committed image. For each
 * operation, append the result's records (when not empty) as one entry and apply them to the
 * pending image at the entry's offset ({@code MetadataDelta.apply(pending, records, offset, term)});
 * reply once the entry commits. Call {@link #fenceExpiredBrokers} periodically (e.g. every second)
 * and {@link #brokerLeft} when the grid reports a member gone. On losing leadership drop the
 * controller: its only state besides the log is heartbeat memory, which a new controller rebuilds
 * (every broker gets a full session from the election).
 *
 * <p>Not thread-safe: call from one thread (the quorum's state-machine or controller thread).
 */
public final class ClusterController {
    private final ClusterControl cluster;
    private final TopicControl topics;

    /**
     * @param electedAtMs when this controller won its election: every registered broker's session
     *        starts then
     * @param topicIds source of new topic ids ({@code Uuid::randomUuid}; seeded in simulations)
     */
    public ClusterController(ControllerConfig config, ConfigValidator validator, Supplier<Uuid> topicIds, long electedAtMs) {
        this.cluster = new ClusterControl(new BrokerSessions(config.sessionTimeoutMs(), electedAtMs));
        this.topics = new TopicControl(config, validator, topicIds);
    }

    /** Sets or removes client quotas (AlterClientQuotas); one result per alteration, in order. */
    public ControllerResult<List<ApiError>> alterClientQuotas(MetadataImage pending, List<QuotaControl.Alteration> alterations) {
        return QuotaControl.alter(pending, alterations);
    }

    /**
     * AlterUserScramCredentials (KIP-554): deletes and sets SCRAM credentials, deriving the stored
     * and server keys from each salted password; one result per user ({@link ScramControl}).
     */
    public ControllerResult<org.apache.kafka.common.message.AlterUserScramCredentialsResponseData> alterUserScramCredentials(
            MetadataImage pending, org.apache.kafka.common.message.AlterUserScramCredentialsRequestData request) {
        return ScramControl.alter(pending, request);
    }

    /** The first entry a new controller appends: when it commits, every earlier entry has too. */
    public static List<MetadataRecord> activationRecords() {
        return List.of(new NoOpRecord());
    }

    public ControllerResult<RegisterBrokerResponse> registerBroker(MetadataImage pending, RegisterBrokerRequest req, long nowMs) {
        Changes c = new Changes(pending);
        RegisterBrokerResponse r = cluster.register(c, req, nowMs);
        return c.result(r);
    }

    public ControllerResult<BrokerHeartbeatResponse> heartbeat(MetadataImage pending, BrokerHeartbeatRequest req, long nowMs) {
        Changes c = new Changes(pending);
        BrokerHeartbeatResponse r = cluster.heartbeat(c, req, nowMs);
        return c.result(r);
    }

    /** Fences every broker whose session expired at {@code nowMs}; the response lists them. */
    public ControllerResult<List<Integer>> fenceExpiredBrokers(MetadataImage pending, long nowMs) {
        Changes c = new Changes(pending);
        List<Integer> r = cluster.fenceExpired(c, nowMs);
        return c.result(r);
    }

    /**
     * The grid reports the member of broker {@code brokerId} gone: fence it at once. With an
     * incarnation id, only that incarnation (a newer registration of the id is left alone).
     */
    public ControllerResult<ApiError> brokerLeft(MetadataImage pending, int brokerId, Uuid incarnationId, long nowMs) {
        Changes c = new Changes(pending);
        ApiError r = cluster.memberLeft(c, brokerId, incarnationId);
        return c.result(r);
    }

    /**
     * As {@link #brokerLeft}, for a hint recorded before this controller was elected: ignored when
     * that incarnation has heartbeated to this controller since (the hint's recorder was the one
     * cut off from the grid).
     */
    public ControllerResult<ApiError> brokerLeftBeforeElection(MetadataImage pending, int brokerId, Uuid incarnationId, long nowMs) {
        Changes c = new Changes(pending);
        ApiError r = cluster.memberLeftBeforeElection(c, brokerId, incarnationId);
        return c.result(r);
    }

    /** The broker's state in {@code pending} (empty when never registered). */
    public static Optional<BrokerControlState> brokerState(MetadataImage pending, int brokerId) {
        return pending.broker(brokerId).map(ClusterControl::state);
    }

    public ControllerResult<CreateTopicResponse> createTopic(MetadataImage pending, CreateTopicRequest req) {
        Changes c = new Changes(pending);
        CreateTopicResponse r = topics.create(c, req);
        return c.result(r);
    }

    /**
     * Decides the topics of one CreateTopics request in order, each seeing those created before it
     * (one pending state for the whole request, not an image per topic: a request of 50 topics on
     * a cluster of thousands would otherwise rebuild the image 50 times). A topic that fails adds
     * no records. With {@code validateOnly} nothing is kept and each topic is checked on its own.
     */
    public ControllerResult<List<CreateTopicResponse>> createTopics(MetadataImage pending, List<CreateTopicRequest> reqs,
            boolean validateOnly) {
        Changes c = new Changes(pending);
        List<CreateTopicResponse> out = new java.util.ArrayList<>(reqs.size());
        for (CreateTopicRequest req : reqs) {
            out.add(topics.create(validateOnly ? new Changes(pending) : c, req));
        }
        return c.result(out);
    }

    public ControllerResult<ApiError> deleteTopic(MetadataImage pending, String name) {
        Changes c = new Changes(pending);
        ApiError r = TopicControl.delete(c, c.state.topic(name), ApiError.of(Errors.UNKNOWN_TOPIC_OR_PARTITION,
                "The topic '" + name + "' does not exist."));
        return c.result(r);
    }

    public ControllerResult<ApiError> deleteTopic(MetadataImage pending, Uuid topicId) {
        Changes c = new Changes(pending);
        ApiError r = TopicControl.delete(c, c.state.topic(topicId), ApiError.of(Errors.UNKNOWN_TOPIC_ID,
                "No topic with id " + topicId));
        return c.result(r);
    }

    /** Grows the topic to {@code totalCount} partitions; {@code assignment} (optional) gives the new ones' replicas. */
    public ControllerResult<ApiError> createPartitions(MetadataImage pending, String topic, int totalCount,
            List<List<Integer>> assignment) {
        Changes c = new Changes(pending);
        ApiError r = topics.createPartitions(c, topic, totalCount, assignment);
        return c.result(r);
    }

    /** IncrementalAlterConfigs SET/DELETE on a topic (must exist) or a broker ("" = cluster default). */
    public ControllerResult<ApiError> alterConfigs(MetadataImage pending, ResourceType type, String name, List<ConfigChange> changes) {
        Changes c = new Changes(pending);
        ApiError r = topics.alterConfigs(c, type, name, changes);
        return c.result(r);
    }

    public ControllerResult<AlterPartitionResponse> alterPartition(MetadataImage pending, AlterPartitionRequest req) {
        Changes c = new Changes(pending);
        AlterPartitionResponse r = ReplicationControl.alterPartition(c, req);
        return c.result(r);
    }

    /** ElectLeaders PREFERRED or UNCLEAN; {@code partitions} null = all (then partitions needing none are left out). */
    public ControllerResult<Map<TopicPartition, ApiError>> electLeaders(MetadataImage pending, ElectionType type,
            Collection<TopicPartition> partitions) {
        Changes c = new Changes(pending);
        Map<TopicPartition, ApiError> r = ReplicationControl.electLeaders(c, type, partitions);
        return c.result(r);
    }

    /**
     * One round of automatic leader balancing: preferred elections for at most {@code max}
     * partitions not led by their preferred replica; the response says whether more may remain.
     */
    public ControllerResult<Boolean> balancePartitionLeaders(MetadataImage pending, int max) {
        Changes c = new Changes(pending);
        boolean more = ReplicationControl.balancePartitionLeaders(c, max);
        return c.result(more);
    }

    /**
     * AlterPartitionReassignments (KIP-455): starts, replaces or cancels (null target) the
     * reassignment of each partition, in order; one error per partition, in the same order.
     */
    public ControllerResult<List<ApiError>> alterPartitionReassignments(MetadataImage pending, List<PartitionReassignment> reassignments,
            boolean allowReplicationFactorChange) {
        Changes c = new Changes(pending);
        List<ApiError> r = ReplicationControl.alterPartitionReassignments(c, reassignments, allowReplicationFactorChange);
        return c.result(r);
    }

    /** ListPartitionReassignments: the reassigning partitions of {@code partitions}, or of all topics when it is null. */
    public static Map<TopicPartition, org.tributary.metadata.PartitionRegistration> listPartitionReassignments(MetadataImage image,
            Collection<TopicPartition> partitions) {
        return ReplicationControl.listPartitionReassignments(image, partitions);
    }

    /**
     * A block of {@link ControllerConfig#PRODUCER_ID_BLOCK_SIZE} producer ids for a registered
     * broker. Blocks follow each other in the log, so they never overlap or go back, across
     * failovers and snapshots; hand the block out only once its entry commits.
     */
    public ControllerResult<ProducerIdsResponse> allocateProducerIds(MetadataImage pending, int brokerId, long brokerEpoch) {
        Changes c = new Changes(pending);
        Optional<BrokerRegistration> b = c.state.broker(brokerId);
        if (b.isEmpty() || b.get().epoch() != brokerEpoch) {
            return c.result(new ProducerIdsResponse(ApiError.of(Errors.STALE_BROKER_EPOCH, "Broker " + brokerId + " epoch "
                    + brokerEpoch + " is not its registered epoch"), -1, 0));
        }
        long first = c.state.nextProducerId();
        int size = ControllerConfig.PRODUCER_ID_BLOCK_SIZE;
        if (first > Long.MAX_VALUE - size) {
            return c.result(new ProducerIdsResponse(ApiError.of(Errors.UNKNOWN_SERVER_ERROR, "Exhausted all producer ids"), -1, 0));
        }
        c.add(new ProducerIdsRecord(brokerId, brokerEpoch, first + size));
        return c.result(new ProducerIdsResponse(ApiError.NONE, first, size));
    }
}
