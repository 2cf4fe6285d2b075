package org.tributary.ee;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.tributary.api.ApiRegistry;
import org.tributary.api.RequestContext;
import org.tributary.security.AclAuthorizer;
import org.tributary.server.KafkaServer;

/**
 * The changes the console and REST API make (the ones Kafka's audit hook would record: topics,
 * partitions, topic configs, partition reassignments, group deletion and offset resets), made in-process: the request goes
 * to this broker's own handler for the API, with the same checks and errors as over the wire, but
 * as {@code Console:<account>} instead of an anonymous network client. So a console change is in
 * the audit trail once, as the console user (the REST layer records it), not a second time as
 * {@code User:ANONYMOUS} from the dispatcher; and the ACL authorizer lets it through whatever
 * {@code allow.everyone.if.no.acl.found} says ({@link AclAuthorizer#CONSOLE_PRINCIPAL_TYPE}), as the
 * console has already checked its caller's role.
 *
 * <p>Topic changes go to the active controller from any broker; group changes reach only groups
 * this broker coordinates, which are the groups the console shows and lets change. Thread-safe.
 */
final class ConsoleChanges {
    private static final long TIMEOUT_MS = 20_000;
    private static final String CLIENT_ID = "tributary-console";
    private final KafkaServer server;
    private final AtomicInteger correlation = new AtomicInteger();

    ConsoleChanges(KafkaServer server) {
        this.server = server;
    }

    void createTopic(String caller, String name, int partitions, short rf, Map<String, String> configs) {
        CreateTopicsRequestData.CreatableTopic t = new CreateTopicsRequestData.CreatableTopic().setName(name)
                .setNumPartitions(partitions).setReplicationFactor(rf);
        configs.forEach((k, v) -> t.configs().add(new CreateTopicsRequestData.CreatableTopicConfig().setName(k).setValue(v)));
        CreateTopicsRequestData req = new CreateTopicsRequestData().setTimeoutMs((int) TIMEOUT_MS);
        req.topics().add(t);
        CreateTopicsResponseData resp = call(caller, ApiKeys.CREATE_TOPICS, 7, req);
        for (CreateTopicsResponseData.CreatableTopicResult r : resp.topics()) {
            check(r.errorCode(), r.errorMessage(), "name");
        }
    }

    void deleteTopic(String caller, String name) {
        DeleteTopicsRequestData req = new DeleteTopicsRequestData().setTimeoutMs((int) TIMEOUT_MS);
        req.topics().add(new DeleteTopicsRequestData.DeleteTopicState().setName(name));
        DeleteTopicsResponseData resp = call(caller, ApiKeys.DELETE_TOPICS, 6, req);
        for (DeleteTopicsResponseData.DeletableTopicResult r : resp.responses()) {
            check(r.errorCode(), r.errorMessage(), "name");
        }
    }

    void addPartitions(String caller, String topic, int totalCount) {
        CreatePartitionsRequestData req = new CreatePartitionsRequestData().setTimeoutMs((int) TIMEOUT_MS);
        req.topics().add(new CreatePartitionsRequestData.CreatePartitionsTopic().setName(topic).setCount(totalCount)
                .setAssignments(null));
        CreatePartitionsResponseData resp = call(caller, ApiKeys.CREATE_PARTITIONS, 3, req);
        for (CreatePartitionsResponseData.CreatePartitionsTopicResult r : resp.results()) {
            check(r.errorCode(), r.errorMessage(), "partitions");
        }
    }

    void alterConfigs(String caller, String topic, Map<String, String> set, Collection<String> reset) {
        IncrementalAlterConfigsRequestData.AlterConfigsResource r = new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(topic);
        set.forEach((k, v) -> r.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(k).setValue(v)
                .setConfigOperation(AlterConfigOp.OpType.SET.id())));
        reset.forEach(k -> r.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(k).setValue(null)
                .setConfigOperation(AlterConfigOp.OpType.DELETE.id())));
        IncrementalAlterConfigsRequestData req = new IncrementalAlterConfigsRequestData();
        req.resources().add(r);
        IncrementalAlterConfigsResponseData resp = call(caller, ApiKeys.INCREMENTAL_ALTER_CONFIGS, 1, req);
        for (IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse x : resp.responses()) {
            check(x.errorCode(), x.errorMessage(), "configs");
        }
    }

    /**
     * AlterPartitionReassignments for one partition: move it to {@code replicas} (the first is the
     * preferred leader; the replication factor may change, as with {@code kafka-reassign-partitions}),
     * or cancel its reassignment in progress when {@code replicas} is null.
     */
    void alterReassignment(String caller, TopicPartition tp, List<Integer> replicas) {
        AlterPartitionReassignmentsRequestData req = new AlterPartitionReassignmentsRequestData().setTimeoutMs((int) TIMEOUT_MS)
                .setAllowReplicationFactorChange(true);
        AlterPartitionReassignmentsRequestData.ReassignableTopic t = new AlterPartitionReassignmentsRequestData.ReassignableTopic()
                .setName(tp.topic());
        t.partitions().add(new AlterPartitionReassignmentsRequestData.ReassignablePartition().setPartitionIndex(tp.partition())
                .setReplicas(replicas == null ? null : new ArrayList<>(replicas)));
        req.topics().add(t);
        AlterPartitionReassignmentsResponseData resp = call(caller, ApiKeys.ALTER_PARTITION_REASSIGNMENTS, 1, req);
        String field = replicas == null ? "partition" : "replicas"; // a cancel names no replicas: nothing to cancel is the partition's state
        check(resp.errorCode(), resp.errorMessage(), field);
        for (AlterPartitionReassignmentsResponseData.ReassignableTopicResponse r : resp.responses()) {
            for (AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse p : r.partitions()) {
                // a topic deleted since the local check: the problem is the topic, not the replica list
                check(p.errorCode(), p.errorMessage(), p.errorCode() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code() ? "topic" : field);
            }
        }
    }

    /** ListPartitionReassignments: the reassignments in progress of {@code tp}, or of every partition when it is null. */
    List<ReassignmentInfo> listReassignments(String caller, TopicPartition tp) {
        ListPartitionReassignmentsRequestData req = new ListPartitionReassignmentsRequestData().setTimeoutMs((int) TIMEOUT_MS);
        if (tp != null) {
            req.setTopics(new ArrayList<>(List.of(new ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics()
                    .setName(tp.topic()).setPartitionIndexes(new ArrayList<>(List.of(tp.partition()))))));
        } else {
            req.setTopics(null);
        }
        ListPartitionReassignmentsResponseData resp = call(caller, ApiKeys.LIST_PARTITION_REASSIGNMENTS, 0, req);
        check(resp.errorCode(), resp.errorMessage(), null);
        List<ReassignmentInfo> out = new ArrayList<>();
        for (ListPartitionReassignmentsResponseData.OngoingTopicReassignment t : resp.topics()) {
            for (ListPartitionReassignmentsResponseData.OngoingPartitionReassignment p : t.partitions()) {
                out.add(new ReassignmentInfo(t.name(), p.partitionIndex(), List.copyOf(p.replicas()),
                        List.copyOf(p.addingReplicas()), List.copyOf(p.removingReplicas())));
            }
        }
        out.sort(Comparator.comparing(ReassignmentInfo::topic).thenComparingInt(ReassignmentInfo::partition));
        return out;
    }

    void deleteGroup(String caller, String groupId) {
        DeleteGroupsRequestData req = new DeleteGroupsRequestData();
        req.groupsNames().add(groupId);
        DeleteGroupsResponseData resp = call(caller, ApiKeys.DELETE_GROUPS, 2, req);
        for (DeleteGroupsResponseData.DeletableGroupResult r : resp.results()) {
            check(r.errorCode(), null, "groupId");
        }
    }

    /** An administrative commit (no generation, no member), as {@code Admin.alterConsumerGroupOffsets} sends. */
    void commitOffsets(String caller, String groupId, Map<TopicPartition, Long> offsets) {
        OffsetCommitRequestData req = new OffsetCommitRequestData().setGroupId(groupId).setGenerationIdOrMemberEpoch(-1)
                .setMemberId("");
        Map<String, OffsetCommitRequestData.OffsetCommitRequestTopic> topics = new java.util.LinkedHashMap<>();
        offsets.forEach((tp, o) -> topics.computeIfAbsent(tp.topic(), n -> {
            OffsetCommitRequestData.OffsetCommitRequestTopic t = new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(n);
            req.topics().add(t);
            return t;
        }).partitions().add(new OffsetCommitRequestData.OffsetCommitRequestPartition().setPartitionIndex(tp.partition())
                .setCommittedOffset(o).setCommittedLeaderEpoch(-1).setCommittedMetadata("")));
        OffsetCommitResponseData resp = call(caller, ApiKeys.OFFSET_COMMIT, 8, req);
        for (OffsetCommitResponseData.OffsetCommitResponseTopic t : resp.topics()) {
            for (OffsetCommitResponseData.OffsetCommitResponsePartition p : t.partitions()) {
                check(p.errorCode(), null, "groupId");
            }
        }
    }

    /** Runs the request through this broker's handler for {@code key} as {@code Console:<caller>} and waits for the answer. */
    @SuppressWarnings("unchecked")
    private <T extends ApiMessage> T call(String caller, ApiKeys key, int version, ApiMessage request) {
        ApiRegistry.Registration reg = server.registry().flatMap(r -> r.lookup(key)).orElseThrow(() -> new AdminException(
                AdminException.Kind.UNAVAILABLE, null, "the broker is not serving " + key + " yet"));
        short v = (short) Math.min(version, reg.maxVersion());
        RequestHeader header = new RequestHeader(key, v, CLIENT_ID, correlation.incrementAndGet());
        KafkaPrincipal principal = new KafkaPrincipal(AclAuthorizer.CONSOLE_PRINCIPAL_TYPE,
                caller == null || caller.isBlank() ? "console" : caller);
        RequestContext ctx = new RequestContext(header, "console-in-process", InetAddress.getLoopbackAddress(), principal, "",
                server.image());
        try {
            CompletionStage<ApiMessage> answer = reg.handler().handle(ctx, request);
            return (T) answer.toCompletableFuture().get(TIMEOUT_MS + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof ApiException a) {
                throw KafkaAdminOps.translate(a, null);
            }
            throw new AdminException(AdminException.Kind.UNAVAILABLE, null, String.valueOf(c == null ? e : c.getMessage()));
        } catch (TimeoutException e) {
            throw new AdminException(AdminException.Kind.UNAVAILABLE, null, "the broker did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException(AdminException.Kind.UNAVAILABLE, null, "interrupted");
        } catch (ApiException e) {
            throw KafkaAdminOps.translate(e, null);
        } catch (AdminException e) {
            throw e;
        } catch (Exception e) {
            throw new AdminException(AdminException.Kind.UNAVAILABLE, null, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private static void check(short code, String message, String field) {
        Errors error = Errors.forCode(code);
        if (error != Errors.NONE) {
            throw KafkaAdminOps.translate(error.exception(message == null || message.isEmpty() ? error.message() : message), field);
        }
    }
}
