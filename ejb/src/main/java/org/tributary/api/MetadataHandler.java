package org.tributary.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.cluster.BrokerInfo;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.metadata.TopicImage;

/**
 * Metadata (with auto-creation) and DescribeCluster, answered from this broker's copy of the
 * cluster metadata ({@link MetadataImage}, one per request): every live (unfenced) broker, every
 * topic, each partition's leader, leader epoch, replicas and ISR as the controller last decided
 * them, and the active controller (the metadata quorum's leader). A partition whose leader is -1
 * (its replicas' brokers are fenced) is reported with LEADER_NOT_AVAILABLE so clients wait for it.
 */
final class MetadataHandler {
    private final ApiServices services;
    private final boolean autoCreate;

    MetadataHandler(ApiServices services) {
        this.services = services;
        this.autoCreate = services.config().getBoolean("auto.create.topics.enable", true);
    }

    CompletionStage<ApiMessage> metadata(RequestContext ctx, ApiMessage message) {
        MetadataRequestData req = (MetadataRequestData) message;
        short v = ctx.apiVersion();
        List<BrokerInfo> brokers = servingBrokers();
        MetadataResponseData resp = new MetadataResponseData()
                .setThrottleTimeMs(0)
                .setClusterId(services.cluster().clusterId())
                .setControllerId(controllerId())
                .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        for (BrokerInfo b : brokers) {
            ListenerEndpoints.of(b, ctx.listenerName()).ifPresent(e -> resp.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                    .setNodeId(b.id()).setHost(e.host()).setPort(e.port()).setRack(b.rack())));
        }
        MetadataImage image = ctx.image();
        Set<Integer> live = brokers.stream().map(BrokerInfo::id).collect(Collectors.toSet());
        boolean all = req.topics() == null || (req.topics().isEmpty() && v == 0);
        RequestAuthorizer auth = services.authorizer();
        if (all) {
            for (TopicImage t : image.topics()) {
                if (auth.filters(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name())) { // only what the principal may see
                    resp.topics().add(describe(t, live));
                }
            }
        } else {
            boolean create = autoCreate && (v < 4 || req.allowAutoTopicCreation());
            for (MetadataRequestData.MetadataRequestTopic rt : req.topics()) {
                resp.topics().add(lookup(ctx, rt, image, create, live));
            }
        }
        if (v >= 8 && v <= 10 && req.includeClusterAuthorizedOperations()) {
            resp.setClusterAuthorizedOperations(clusterOperations(ctx));
        }
        if (v >= 8 && req.includeTopicAuthorizedOperations()) {
            resp.topics().forEach(t -> {
                if (t.errorCode() == Errors.NONE.code() || t.errorCode() == Errors.LEADER_NOT_AVAILABLE.code()) {
                    t.setTopicAuthorizedOperations(auth.authorizedOperations(ctx, ResourceType.TOPIC, t.name()));
                }
            });
        }
        return CompletableFuture.completedFuture(resp);
    }

    /** KIP-430: the cluster operations allowed, or none without DESCRIBE on the cluster (as Kafka answers). */
    private int clusterOperations(RequestContext ctx) {
        RequestAuthorizer auth = services.authorizer();
        return auth.filters(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, RequestAuthorizer.CLUSTER_NAME)
                ? auth.authorizedOperations(ctx, ResourceType.CLUSTER, RequestAuthorizer.CLUSTER_NAME) : 0;
    }

    /**
     * Kafka's checks for Metadata: a topic the principal may not DESCRIBE is TOPIC_AUTHORIZATION_FAILED
     * whether it exists or not (by name: without its id); auto-creation needs CREATE on the cluster or
     * the topic, else TOPIC_AUTHORIZATION_FAILED.
     */
    static boolean mayCreate(ApiServices services, RequestContext ctx, String topic) {
        RequestAuthorizer auth = services.authorizer();
        return auth.filters(ctx, AclOperation.CREATE, ResourceType.CLUSTER, RequestAuthorizer.CLUSTER_NAME)
                || auth.allows(ctx, AclOperation.CREATE, ResourceType.TOPIC, topic);
    }

    private MetadataResponseTopic lookup(RequestContext ctx, MetadataRequestData.MetadataRequestTopic rt, MetadataImage image,
            boolean create, Set<Integer> live) {
        RequestAuthorizer auth = services.authorizer();
        if (rt.name() == null) {
            Uuid id = rt.topicId();
            TopicImage t = image.topic(id).orElse(null);
            if (t == null) {
                return new MetadataResponseTopic().setTopicId(id).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
            }
            if (!auth.allows(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name())) {
                return new MetadataResponseTopic().setTopicId(id).setName(null).setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
            }
            return describe(t, live);
        }
        String name = rt.name();
        if (!auth.allows(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
            return new MetadataResponseTopic().setName(name).setTopicId(Uuid.ZERO_UUID)
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        TopicImage t = image.topic(name).orElse(null);
        if (t != null) {
            return describe(t, live);
        }
        MetadataResponseTopic err = new MetadataResponseTopic().setName(name).setIsInternal(Topic.isInternal(name));
        if (!Topic.isValid(name)) {
            return err.setErrorCode(Errors.INVALID_TOPIC_EXCEPTION.code());
        }
        if (!create || Topic.isInternal(name)) { // internal topics are made by their coordinators, with their own settings
            return err.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        }
        if (!mayCreate(services, ctx, name)) {
            return err.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
        }
        try {
            return describe(autoCreate(services, name), live);
        } catch (ApiException e) {
            return err.setErrorCode(Errors.forException(e).code());
        }
    }

    /** Creates {@code name} with the broker defaults, or returns it when someone else just did. */
    static TopicImage autoCreate(ApiServices services, String name) {
        TopicAdmin admin = services.topics();
        try {
            return admin.create(name, admin.defaultPartitions(), admin.defaultReplicationFactor(), List.of(),
                    java.util.Map.of(), false);
        } catch (TopicExistsException e) {
            return services.metadata().image().topic(name).orElseThrow(() -> e);
        }
    }

    private MetadataResponseTopic describe(TopicImage t, Set<Integer> live) {
        MetadataResponseTopic out = new MetadataResponseTopic()
                .setName(t.name())
                .setTopicId(t.id())
                .setIsInternal(Topic.isInternal(t.name()))
                .setTopicAuthorizedOperations(Integer.MIN_VALUE);
        for (int p = 0; p < t.partitionCount(); p++) {
            PartitionRegistration reg = t.partition(p);
            List<Integer> offline = reg.replicas().stream().filter(r -> !live.contains(r)).toList();
            out.partitions().add(new MetadataResponsePartition()
                    .setPartitionIndex(p)
                    .setErrorCode(reg.hasLeader() ? 0 : Errors.LEADER_NOT_AVAILABLE.code())
                    .setLeaderId(reg.leader())
                    .setLeaderEpoch(reg.leaderEpoch())
                    .setReplicaNodes(new ArrayList<>(reg.replicas()))
                    .setIsrNodes(new ArrayList<>(reg.isr()))
                    .setOfflineReplicas(new ArrayList<>(offline)));
        }
        return out;
    }

    private List<BrokerInfo> servingBrokers() {
        return services.topics().servingBrokers();
    }

    /**
     * The "controller" a client sends CreateTopics and the other controller APIs to: this broker,
     * which forwards them to the quorum's leader over the quorum's transport and waits for an
     * election if there is none. As in Kafka's KRaft mode, where Metadata names an alive broker and
     * brokers forward, the quorum's leader is not named: a client that cached it would send its next
     * write to a dead node after the leader's loss and find a live one only after its own timeouts,
     * while this broker just answered it. {@code kafka-metadata-quorum} (DescribeQuorum) names the
     * quorum's leader.
     */
    private int controllerId() {
        return services.cluster().localBrokerId();
    }

    CompletionStage<ApiMessage> describeCluster(RequestContext ctx, ApiMessage message) {
        DescribeClusterRequestData req = (DescribeClusterRequestData) message;
        DescribeClusterResponseData resp = new DescribeClusterResponseData()
                .setThrottleTimeMs(0)
                .setClusterId(services.cluster().clusterId())
                .setControllerId(controllerId())
                .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        if (ctx.apiVersion() >= 1 && req.endpointType() != 1) {
            // only broker endpoints (type 1) are served here; controller endpoints are not exposed
            return CompletableFuture.completedFuture(resp.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("The endpoint type requested is not supported by this broker")
                    .setEndpointType(req.endpointType()));
        }
        if (req.includeClusterAuthorizedOperations()) {
            resp.setClusterAuthorizedOperations(clusterOperations(ctx));
        }
        resp.setEndpointType((byte) 1);
        for (BrokerInfo b : servingBrokers()) {
            ListenerEndpoints.of(b, ctx.listenerName()).ifPresent(e -> resp.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                    .setBrokerId(b.id()).setHost(e.host()).setPort(e.port()).setRack(b.rack()).setIsFenced(false)));
        }
        return CompletableFuture.completedFuture(resp);
    }
}
