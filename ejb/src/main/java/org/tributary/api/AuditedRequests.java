package org.tributary.api;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterUserScramCredentialsRequestData;
import org.apache.kafka.common.message.AlterUserScramCredentialsResponseData;
import org.apache.kafka.common.message.CreateAclsRequestData;
import org.apache.kafka.common.message.CreateAclsResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteAclsRequestData;
import org.apache.kafka.common.message.DeleteAclsResponseData;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Which Kafka APIs change the cluster, and what one request changed: the resources it named and
 * each one's result, read from the request and its response (never from a handler). Secrets stay
 * out: config changes name their keys without values, SCRAM changes name the user and mechanism,
 * never the salt or salted password.
 *
 * <p>Stateless and thread-safe.
 */
final class AuditedRequests {

    /** One resource a request named, with its result ({@code NONE} or an error name) and a note. */
    record Change(String resourceType, String resourceName, String result, String detail) {
    }

    private static final Set<ApiKeys> MUTATING = EnumSet.of(ApiKeys.CREATE_TOPICS, ApiKeys.DELETE_TOPICS,
            ApiKeys.CREATE_PARTITIONS, ApiKeys.ALTER_CONFIGS, ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.DELETE_RECORDS,
            ApiKeys.ALTER_PARTITION_REASSIGNMENTS, ApiKeys.ELECT_LEADERS, ApiKeys.OFFSET_DELETE, ApiKeys.DELETE_GROUPS,
            ApiKeys.OFFSET_COMMIT, ApiKeys.CREATE_ACLS, ApiKeys.DELETE_ACLS, ApiKeys.ALTER_USER_SCRAM_CREDENTIALS,
            ApiKeys.ALTER_CLIENT_QUOTAS);

    private AuditedRequests() {
    }

    /**
     * True when requests of this API are audited. OffsetCommit counts only without a group
     * generation (an administrative offset change, as {@code kafka-consumer-groups --reset-offsets}
     * sends); commits by group members are consumption, not administration.
     */
    static boolean audited(ApiKeys key, ApiMessage request) {
        if (!MUTATING.contains(key)) {
            return false;
        }
        return key != ApiKeys.OFFSET_COMMIT || ((OffsetCommitRequestData) request).generationIdOrMemberEpoch() < 0;
    }

    /** The resources {@code request} named and each one's result in {@code response}. */
    static List<Change> changes(ApiKeys key, ApiMessage request, ApiMessage response) {
        List<Change> out = new ArrayList<>();
        switch (key) {
            case CREATE_TOPICS -> {
                CreateTopicsRequestData req = (CreateTopicsRequestData) request;
                CreateTopicsResponseData resp = (CreateTopicsResponseData) response;
                for (CreateTopicsRequestData.CreatableTopic t : req.topics()) {
                    CreateTopicsResponseData.CreatableTopicResult r = resp.topics().find(t.name());
                    out.add(new Change("topic", t.name(), r == null ? "UNKNOWN" : error(r.errorCode()),
                            "partitions=" + t.numPartitions() + ", replication.factor=" + t.replicationFactor()
                                    + keys(t.configs().stream().map(CreateTopicsRequestData.CreatableTopicConfig::name).toList())
                                    + (req.validateOnly() ? ", validate only" : "")));
                }
            }
            case DELETE_TOPICS -> {
                DeleteTopicsResponseData resp = (DeleteTopicsResponseData) response;
                for (DeleteTopicsResponseData.DeletableTopicResult r : resp.responses()) {
                    String name = r.name() != null ? r.name() : String.valueOf(r.topicId());
                    out.add(new Change("topic", name, error(r.errorCode()), ""));
                }
                if (out.isEmpty()) {
                    DeleteTopicsRequestData req = (DeleteTopicsRequestData) request;
                    req.topicNames().forEach(n -> out.add(new Change("topic", n, "UNKNOWN", "")));
                    req.topics().forEach(t -> out.add(new Change("topic", t.name() != null ? t.name() : String.valueOf(t.topicId()),
                            "UNKNOWN", "")));
                }
            }
            case CREATE_PARTITIONS -> {
                CreatePartitionsRequestData req = (CreatePartitionsRequestData) request;
                CreatePartitionsResponseData resp = (CreatePartitionsResponseData) response;
                for (CreatePartitionsResponseData.CreatePartitionsTopicResult r : resp.results()) {
                    CreatePartitionsRequestData.CreatePartitionsTopic t = req.topics().find(r.name());
                    out.add(new Change("topic", r.name(), error(r.errorCode()), t == null ? "" : "partitions=" + t.count()));
                }
            }
            case ALTER_CONFIGS -> {
                AlterConfigsRequestData req = (AlterConfigsRequestData) request;
                AlterConfigsResponseData resp = (AlterConfigsResponseData) response;
                for (AlterConfigsResponseData.AlterConfigsResourceResponse r : resp.responses()) {
                    AlterConfigsRequestData.AlterConfigsResource res = req.resources().find(r.resourceType(), r.resourceName());
                    out.add(new Change(configType(r.resourceType()), r.resourceName(), error(r.errorCode()),
                            res == null ? "" : "set " + String.join(",", res.configs().stream()
                                    .map(AlterConfigsRequestData.AlterableConfig::name).toList())));
                }
            }
            case INCREMENTAL_ALTER_CONFIGS -> {
                IncrementalAlterConfigsRequestData req = (IncrementalAlterConfigsRequestData) request;
                IncrementalAlterConfigsResponseData resp = (IncrementalAlterConfigsResponseData) response;
                for (IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse r : resp.responses()) {
                    IncrementalAlterConfigsRequestData.AlterConfigsResource res = req.resources().find(r.resourceType(), r.resourceName());
                    String detail = res == null ? "" : res.configs().stream()
                            .map(c -> opName(c.configOperation()) + " " + c.name()).collect(Collectors.joining(", "));
                    out.add(new Change(configType(r.resourceType()), r.resourceName(), error(r.errorCode()), detail));
                }
            }
            case DELETE_RECORDS -> {
                DeleteRecordsRequestData req = (DeleteRecordsRequestData) request;
                DeleteRecordsResponseData resp = (DeleteRecordsResponseData) response;
                for (DeleteRecordsResponseData.DeleteRecordsTopicResult t : resp.topics()) {
                    DeleteRecordsRequestData.DeleteRecordsTopic asked = req.topics().stream()
                            .filter(x -> x.name().equals(t.name())).findFirst().orElse(null);
                    for (DeleteRecordsResponseData.DeleteRecordsPartitionResult p : t.partitions()) {
                        long before = asked == null ? -1 : asked.partitions().stream().filter(x -> x.partitionIndex() == p.partitionIndex())
                                .mapToLong(DeleteRecordsRequestData.DeleteRecordsPartition::offset).findFirst().orElse(-1);
                        out.add(new Change("topic", t.name() + "-" + p.partitionIndex(), error(p.errorCode()), "before offset " + before));
                    }
                }
            }
            case ALTER_PARTITION_REASSIGNMENTS -> {
                AlterPartitionReassignmentsRequestData req = (AlterPartitionReassignmentsRequestData) request;
                AlterPartitionReassignmentsResponseData resp = (AlterPartitionReassignmentsResponseData) response;
                for (AlterPartitionReassignmentsResponseData.ReassignableTopicResponse t : resp.responses()) {
                    for (AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse p : t.partitions()) {
                        String replicas = req.topics().stream().filter(x -> x.name().equals(t.name()))
                                .flatMap(x -> x.partitions().stream()).filter(x -> x.partitionIndex() == p.partitionIndex())
                                .map(x -> x.replicas() == null ? "cancel" : "replicas=" + x.replicas()).findFirst().orElse("");
                        out.add(new Change("topic", t.name() + "-" + p.partitionIndex(),
                                error(p.errorCode() != 0 ? p.errorCode() : resp.errorCode()), replicas));
                    }
                }
                if (out.isEmpty()) {
                    req.topics().forEach(t -> t.partitions().forEach(p -> out.add(new Change("topic",
                            t.name() + "-" + p.partitionIndex(), error(resp.errorCode()), ""))));
                }
            }
            case ELECT_LEADERS -> {
                ElectLeadersRequestData req = (ElectLeadersRequestData) request;
                ElectLeadersResponseData resp = (ElectLeadersResponseData) response;
                String type = req.electionType() == 1 ? "unclean" : "preferred";
                for (ElectLeadersResponseData.ReplicaElectionResult t : resp.replicaElectionResults()) {
                    for (ElectLeadersResponseData.PartitionResult p : t.partitionResult()) {
                        out.add(new Change("topic", t.topic() + "-" + p.partitionId(),
                                error(p.errorCode() != 0 ? p.errorCode() : resp.errorCode()), type + " election"));
                    }
                }
                if (out.isEmpty()) {
                    out.add(new Change("cluster", req.topicPartitions() == null ? "all partitions" : "", error(resp.errorCode()),
                            type + " election"));
                }
            }
            case OFFSET_DELETE -> {
                OffsetDeleteRequestData req = (OffsetDeleteRequestData) request;
                OffsetDeleteResponseData resp = (OffsetDeleteResponseData) response;
                List<String> parts = new ArrayList<>();
                String worst = error(resp.errorCode());
                for (OffsetDeleteResponseData.OffsetDeleteResponseTopic t : resp.topics()) {
                    for (OffsetDeleteResponseData.OffsetDeleteResponsePartition p : t.partitions()) {
                        parts.add(t.name() + "-" + p.partitionIndex());
                        if (p.errorCode() != 0 && Errors.NONE.name().equals(worst)) {
                            worst = error(p.errorCode());
                        }
                    }
                }
                out.add(new Change("group", req.groupId(), worst, "offsets deleted for " + parts));
            }
            case DELETE_GROUPS -> {
                DeleteGroupsResponseData resp = (DeleteGroupsResponseData) response;
                resp.results().forEach(r -> out.add(new Change("group", r.groupId(), error(r.errorCode()), "")));
                if (out.isEmpty()) {
                    ((DeleteGroupsRequestData) request).groupsNames().forEach(g -> out.add(new Change("group", g, "UNKNOWN", "")));
                }
            }
            case OFFSET_COMMIT -> {
                OffsetCommitRequestData req = (OffsetCommitRequestData) request;
                OffsetCommitResponseData resp = (OffsetCommitResponseData) response;
                TreeMap<String, Long> offsets = new TreeMap<>();
                req.topics().forEach(t -> t.partitions().forEach(p -> offsets.put(t.name() + "-" + p.partitionIndex(),
                        p.committedOffset())));
                String worst = Errors.NONE.name();
                for (OffsetCommitResponseData.OffsetCommitResponseTopic t : resp.topics()) {
                    for (OffsetCommitResponseData.OffsetCommitResponsePartition p : t.partitions()) {
                        if (p.errorCode() != 0) {
                            worst = error(p.errorCode());
                        }
                    }
                }
                out.add(new Change("group", req.groupId(), worst, "offsets set " + offsets));
            }
            case CREATE_ACLS -> {
                CreateAclsRequestData req = (CreateAclsRequestData) request;
                CreateAclsResponseData resp = (CreateAclsResponseData) response;
                Iterator<CreateAclsResponseData.AclCreationResult> results = resp.results().iterator();
                for (CreateAclsRequestData.AclCreation c : req.creations()) {
                    short code = results.hasNext() ? results.next().errorCode() : Errors.UNKNOWN_SERVER_ERROR.code();
                    out.add(new Change("acl", aclResource(c.resourceType(), c.resourcePatternType(), c.resourceName()), error(code),
                            acl(c.permissionType(), c.principal(), c.operation(), c.host())));
                }
            }
            case DELETE_ACLS -> {
                DeleteAclsRequestData req = (DeleteAclsRequestData) request;
                DeleteAclsResponseData resp = (DeleteAclsResponseData) response;
                Iterator<DeleteAclsResponseData.DeleteAclsFilterResult> results = resp.filterResults().iterator();
                for (DeleteAclsRequestData.DeleteAclsFilter f : req.filters()) {
                    DeleteAclsResponseData.DeleteAclsFilterResult r = results.hasNext() ? results.next() : null;
                    out.add(new Change("acl", aclResource(f.resourceTypeFilter(), f.patternTypeFilter(), f.resourceNameFilter()),
                            r == null ? "UNKNOWN" : error(r.errorCode()),
                            "filter " + acl(f.permissionType(), f.principalFilter(), f.operation(), f.hostFilter())
                                    + (r == null ? "" : ", deleted " + r.matchingAcls().size())));
                }
            }
            case ALTER_USER_SCRAM_CREDENTIALS -> {
                AlterUserScramCredentialsRequestData req = (AlterUserScramCredentialsRequestData) request;
                AlterUserScramCredentialsResponseData resp = (AlterUserScramCredentialsResponseData) response;
                // results are per user; what was asked (mechanism only) comes from the request
                TreeMap<String, List<String>> asked = new TreeMap<>();
                req.deletions().forEach(d -> asked.computeIfAbsent(d.name(), k -> new ArrayList<>()).add("delete " + mechanism(d.mechanism())));
                req.upsertions().forEach(u -> asked.computeIfAbsent(u.name(), k -> new ArrayList<>()).add("upsert " + mechanism(u.mechanism())));
                for (AlterUserScramCredentialsResponseData.AlterUserScramCredentialsResult r : resp.results()) {
                    out.add(new Change("user", r.user(), error(r.errorCode()), String.join(", ", asked.getOrDefault(r.user(), List.of()))));
                }
            }
            case ALTER_CLIENT_QUOTAS -> {
                AlterClientQuotasRequestData req = (AlterClientQuotasRequestData) request;
                AlterClientQuotasResponseData resp = (AlterClientQuotasResponseData) response;
                Iterator<AlterClientQuotasResponseData.EntryData> results = resp.entries().iterator();
                for (AlterClientQuotasRequestData.EntryData e : req.entries()) {
                    AlterClientQuotasResponseData.EntryData r = results.hasNext() ? results.next() : null;
                    String entity = e.entity().stream().map(x -> x.entityType() + "=" + (x.entityName() == null ? "<default>" : x.entityName()))
                            .collect(Collectors.joining(","));
                    String ops = e.ops().stream().map(o -> (o.remove() ? "remove " : "set ") + o.key() + (o.remove() ? "" : "=" + o.value()))
                            .collect(Collectors.joining(", "));
                    out.add(new Change("client-quota", entity, r == null ? "UNKNOWN" : error(r.errorCode()), ops));
                }
            }
            default -> {
                // not audited
            }
        }
        return out;
    }

    /** The API's name as Kafka's documentation spells it ({@code DeleteTopics}). */
    static String apiName(ApiKeys key) {
        return key.name;
    }

    private static String error(short code) {
        return Errors.forCode(code).name();
    }

    private static String keys(List<String> names) {
        return names.isEmpty() ? "" : ", configs " + String.join(",", names);
    }

    private static String configType(byte type) {
        return ConfigResource.Type.forId(type).name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String opName(byte op) {
        return switch (op) {
            case 0 -> "set";
            case 1 -> "delete";
            case 2 -> "append";
            case 3 -> "subtract";
            default -> "op" + op;
        };
    }

    private static String aclResource(byte type, byte pattern, String name) {
        return ResourceType.fromCode(type).name().toLowerCase(Locale.ROOT) + ":" + PatternType.fromCode(pattern).name()
                .toLowerCase(Locale.ROOT) + ":" + (name == null ? "*any*" : name);
    }

    private static String acl(byte permission, String principal, byte operation, String host) {
        return AclPermissionType.fromCode(permission).name() + " " + principal + " " + AclOperation.fromCode(operation).name()
                + " from " + host;
    }

    private static String mechanism(byte m) {
        ScramMechanism s = ScramMechanism.fromType(m);
        return s == ScramMechanism.UNKNOWN ? "mechanism " + m : s.mechanismName();
    }
}
