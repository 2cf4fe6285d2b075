package org.tributary.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.message.AllocateProducerIdsRequestData;
import org.apache.kafka.common.message.AlterPartitionRequestData;
import org.apache.kafka.common.message.AlterPartitionResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.AllocateProducerIdsResponseData;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.AlterClientQuotasRequestData;
import org.apache.kafka.common.message.AlterClientQuotasResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.quota.ClientQuotaEntity;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.ResourceType;

/**
 * Kafka's controller messages, as brokers send them, turned into {@link ClusterController} calls:
 * the records to append and the response to send once they have committed (a function of the
 * image that applied them, since a broker epoch is the offset of its registration).
 * A request that names several topics is decided topic by topic on an image that already holds the
 * earlier topics' records, and all records go in one entry.
 *
 * <p>Stateless.
 */
final class ControllerApis {
    private ControllerApis() {
    }

    /** What a request decided: records to append (may be empty) and the response to send afterwards. */
    record Outcome(List<MetadataRecord> records, Function<MetadataImage, ApiMessage> response) {
        static Outcome of(List<MetadataRecord> records, ApiMessage response) {
            return new Outcome(records, img -> response);
        }
    }

    static Outcome handle(ClusterController rules, MetadataImage image, ApiMessage request, String clusterId, long nowMs) {
        if (request instanceof BrokerRegistrationRequestData r) {
            return register(rules, image, r, clusterId, nowMs);
        } else if (request instanceof BrokerHeartbeatRequestData r) {
            return heartbeat(rules, image, r, nowMs);
        } else if (request instanceof AllocateProducerIdsRequestData r) {
            ControllerResult<ProducerIdsResponse> res = rules.allocateProducerIds(image, r.brokerId(), r.brokerEpoch());
            ProducerIdsResponse p = res.response();
            return Outcome.of(res.records(), new AllocateProducerIdsResponseData().setErrorCode(p.error().error().code())
                    .setProducerIdStart(p.firstProducerId()).setProducerIdLen(p.size()));
        } else if (request instanceof CreateTopicsRequestData r) {
            return createTopics(rules, image, r);
        } else if (request instanceof DeleteTopicsRequestData r) {
            return deleteTopics(rules, image, r);
        } else if (request instanceof CreatePartitionsRequestData r) {
            return createPartitions(rules, image, r);
        } else if (request instanceof IncrementalAlterConfigsRequestData r) {
            return alterConfigs(rules, image, r);
        } else if (request instanceof AlterPartitionRequestData r) {
            return alterPartition(rules, image, r);
        } else if (request instanceof ElectLeadersRequestData r) {
            return electLeaders(rules, image, r);
        } else if (request instanceof AlterPartitionReassignmentsRequestData r) {
            return alterPartitionReassignments(rules, image, r);
        } else if (request instanceof ListPartitionReassignmentsRequestData r) {
            return listPartitionReassignments(image, r);
        } else if (request instanceof AlterClientQuotasRequestData r) {
            return alterClientQuotas(rules, image, r);
        } else if (request instanceof org.apache.kafka.common.message.CreateAclsRequestData r) {
            return AclMessages.createAcls(image, r);
        } else if (request instanceof org.apache.kafka.common.message.DeleteAclsRequestData r) {
            return AclMessages.deleteAcls(image, r);
        } else if (request instanceof org.apache.kafka.common.message.AlterUserScramCredentialsRequestData r) {
            ControllerResult<org.apache.kafka.common.message.AlterUserScramCredentialsResponseData> res =
                    rules.alterUserScramCredentials(image, r);
            return Outcome.of(res.records(), res.response());
        }
        throw new IllegalArgumentException("the controller does not handle " + request.getClass().getSimpleName());
    }

    /**
     * The image the next topic of the same request is decided on: this one plus the records
     * decided so far, at a stand-in offset (the real one is known only once the entry is appended).
     */
    private static MetadataImage advance(MetadataImage pending, List<MetadataRecord> records) {
        return records.isEmpty() ? pending : MetadataDelta.apply(pending, records, pending.offset() + 1, pending.epoch());
    }

    private static Outcome register(ClusterController rules, MetadataImage image, BrokerRegistrationRequestData r, String clusterId,
            long nowMs) {
        if (!clusterId.equals(r.clusterId())) {
            return Outcome.of(List.of(), new BrokerRegistrationResponseData().setErrorCode(Errors.INCONSISTENT_CLUSTER_ID.code())
                    .setBrokerEpoch(-1));
        }
        BrokerRegistrationRequestData.Listener http = r.listeners().find(ControllerRpc.HTTP_LISTENER);
        List<org.tributary.metadata.BrokerEndpoint> endpoints = new java.util.ArrayList<>();
        for (BrokerRegistrationRequestData.Listener l : r.listeners()) {
            if (!l.name().equals(ControllerRpc.HTTP_LISTENER)) {
                endpoints.add(new org.tributary.metadata.BrokerEndpoint(l.name(), l.host(), l.port(), l.securityProtocol()));
            }
        }
        if (endpoints.isEmpty()) {
            return Outcome.of(List.of(), new BrokerRegistrationResponseData().setErrorCode(Errors.INVALID_REGISTRATION.code())
                    .setBrokerEpoch(-1));
        }
        org.tributary.metadata.BrokerEndpoint first = endpoints.get(0);
        RegisterBrokerRequest req = new RegisterBrokerRequest(r.brokerId(), r.incarnationId(), first.host(), first.port(),
                http == null ? 0 : http.port(), r.rack(), r.previousBrokerEpoch() >= 0, endpoints);
        ControllerResult<RegisterBrokerResponse> res = rules.registerBroker(image, req, nowMs);
        RegisterBrokerResponse resp = res.response();
        if (!resp.error().isSuccess()) {
            return Outcome.of(res.records(), new BrokerRegistrationResponseData().setErrorCode(resp.error().error().code())
                    .setBrokerEpoch(-1));
        }
        return new Outcome(res.records(), after -> new BrokerRegistrationResponseData().setErrorCode(Errors.NONE.code())
                .setBrokerEpoch(resp.epochIn(after)));
    }

    private static Outcome heartbeat(ClusterController rules, MetadataImage image, BrokerHeartbeatRequestData r, long nowMs) {
        ControllerResult<BrokerHeartbeatResponse> res = rules.heartbeat(image, new BrokerHeartbeatRequest(r.brokerId(), r.brokerEpoch(),
                r.currentMetadataOffset(), r.wantFence(), r.wantShutDown()), nowMs);
        BrokerHeartbeatResponse h = res.response();
        return Outcome.of(res.records(), new BrokerHeartbeatResponseData().setErrorCode(h.error().error().code())
                .setIsFenced(h.fenced()).setIsCaughtUp(!h.fenced()).setShouldShutDown(h.shouldShutDown()));
    }

    private static Outcome createTopics(ClusterController rules, MetadataImage image, CreateTopicsRequestData r) {
        List<CreateTopicRequest> reqs = new ArrayList<>();
        for (CreateTopicsRequestData.CreatableTopic t : r.topics()) {
            List<List<Integer>> assignment = new ArrayList<>();
            t.assignments().stream().sorted((a, b) -> Integer.compare(a.partitionIndex(), b.partitionIndex()))
                    .forEach(a -> assignment.add(new ArrayList<>(a.brokerIds())));
            Map<String, String> configs = new TreeMap<>();
            t.configs().forEach(c -> configs.put(c.name(), c.value()));
            reqs.add(new CreateTopicRequest(t.name(), t.numPartitions(), t.replicationFactor(), assignment, configs));
        }
        ControllerResult<List<CreateTopicResponse>> res = rules.createTopics(image, reqs, r.validateOnly());
        CreateTopicsResponseData resp = new CreateTopicsResponseData();
        for (int i = 0; i < reqs.size(); i++) {
            CreateTopicResponse c = res.response().get(i);
            CreateTopicsResponseData.CreatableTopicResult result = new CreateTopicsResponseData.CreatableTopicResult()
                    .setName(reqs.get(i).name()).setErrorCode(c.error().error().code()).setErrorMessage(c.error().message());
            if (c.error().isSuccess()) {
                result.setTopicId(r.validateOnly() ? Uuid.ZERO_UUID : c.topicId()).setNumPartitions(c.numPartitions())
                        .setReplicationFactor(c.replicationFactor());
            }
            resp.topics().add(result);
        }
        return Outcome.of(r.validateOnly() ? List.of() : res.records(), resp);
    }

    private static Outcome deleteTopics(ClusterController rules, MetadataImage image, DeleteTopicsRequestData r) {
        DeleteTopicsResponseData resp = new DeleteTopicsResponseData();
        List<MetadataRecord> all = new ArrayList<>();
        MetadataImage pending = image;
        List<DeleteTopicsRequestData.DeleteTopicState> targets = new ArrayList<>(r.topics());
        r.topicNames().forEach(n -> targets.add(new DeleteTopicsRequestData.DeleteTopicState().setName(n)));
        for (DeleteTopicsRequestData.DeleteTopicState t : targets) {
            ControllerResult<ApiError> res = t.name() != null ? rules.deleteTopic(pending, t.name()) : rules.deleteTopic(pending, t.topicId());
            resp.responses().add(new DeleteTopicsResponseData.DeletableTopicResult().setName(t.name()).setTopicId(t.topicId())
                    .setErrorCode(res.response().error().code()).setErrorMessage(res.response().message()));
            all.addAll(res.records());
            pending = advance(pending, res.records());
        }
        return Outcome.of(all, resp);
    }

    private static Outcome createPartitions(ClusterController rules, MetadataImage image, CreatePartitionsRequestData r) {
        CreatePartitionsResponseData resp = new CreatePartitionsResponseData();
        List<MetadataRecord> all = new ArrayList<>();
        MetadataImage pending = image;
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : r.topics()) {
            List<List<Integer>> assignment = new ArrayList<>();
            if (t.assignments() != null) {
                t.assignments().forEach(a -> assignment.add(new ArrayList<>(a.brokerIds())));
            }
            ControllerResult<ApiError> res = rules.createPartitions(pending, t.name(), t.count(), assignment);
            resp.results().add(new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName(t.name())
                    .setErrorCode(res.response().error().code()).setErrorMessage(res.response().message()));
            if (!r.validateOnly()) {
                all.addAll(res.records());
                pending = advance(pending, res.records());
            }
        }
        return Outcome.of(all, resp);
    }

    private static Outcome alterConfigs(ClusterController rules, MetadataImage image, IncrementalAlterConfigsRequestData r) {
        IncrementalAlterConfigsResponseData resp = new IncrementalAlterConfigsResponseData();
        List<MetadataRecord> all = new ArrayList<>();
        MetadataImage pending = image;
        for (IncrementalAlterConfigsRequestData.AlterConfigsResource res : r.resources()) {
            IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse out = new IncrementalAlterConfigsResponseData
                    .AlterConfigsResourceResponse().setResourceType(res.resourceType()).setResourceName(res.resourceName());
            resp.responses().add(out);
            ResourceType type = res.resourceType() == ConfigResource.Type.TOPIC.id() ? ResourceType.TOPIC
                    : res.resourceType() == ConfigResource.Type.BROKER.id() ? ResourceType.BROKER : null;
            List<ConfigChange> changes = new ArrayList<>();
            ApiError error = type == null ? ApiError.of(Errors.INVALID_REQUEST, "Unsupported resource type " + res.resourceType())
                    : ApiError.NONE;
            for (IncrementalAlterConfigsRequestData.AlterableConfig c : res.configs()) {
                if (c.configOperation() == AlterConfigOp.OpType.SET.id()) {
                    changes.add(new ConfigChange(c.name(), c.value()));
                } else if (c.configOperation() == AlterConfigOp.OpType.DELETE.id()) {
                    changes.add(new ConfigChange(c.name(), null));
                } else {
                    error = ApiError.of(Errors.INVALID_REQUEST, "The controller takes only SET and DELETE; the broker resolves "
                            + "APPEND and SUBTRACT first");
                }
            }
            if (error.isSuccess()) {
                ControllerResult<ApiError> result = rules.alterConfigs(pending, type, res.resourceName(), changes);
                error = result.response();
                if (!r.validateOnly()) {
                    all.addAll(result.records());
                    pending = advance(pending, result.records());
                }
            }
            out.setErrorCode(error.error().code()).setErrorMessage(error.message());
        }
        return Outcome.of(all, resp);
    }

    private static Outcome alterClientQuotas(ClusterController rules, MetadataImage image, AlterClientQuotasRequestData r) {
        List<QuotaControl.Alteration> alterations = new ArrayList<>();
        for (AlterClientQuotasRequestData.EntryData e : r.entries()) {
            Map<String, String> entity = new HashMap<>();
            boolean duplicateType = false;
            for (AlterClientQuotasRequestData.EntityData d : e.entity()) {
                duplicateType |= entity.containsKey(d.entityType());
                entity.put(d.entityType(), d.entityName());
            }
            List<QuotaControl.Op> ops = new ArrayList<>();
            e.ops().forEach(op -> ops.add(new QuotaControl.Op(op.key(), op.value(), op.remove())));
            alterations.add(new QuotaControl.Alteration(new ClientQuotaEntity(duplicateType ? Map.of() : entity), ops));
        }
        ControllerResult<List<ApiError>> result = rules.alterClientQuotas(image, alterations);
        AlterClientQuotasResponseData resp = new AlterClientQuotasResponseData();
        for (int i = 0; i < r.entries().size(); i++) {
            ApiError err = result.response().get(i);
            AlterClientQuotasResponseData.EntryData out = new AlterClientQuotasResponseData.EntryData()
                    .setErrorCode(err.error().code()).setErrorMessage(err.message());
            r.entries().get(i).entity().forEach(d -> out.entity().add(new AlterClientQuotasResponseData.EntityData()
                    .setEntityType(d.entityType()).setEntityName(d.entityName())));
            resp.entries().add(out);
        }
        return Outcome.of(r.validateOnly() ? List.of() : result.records(), resp);
    }

    private static Outcome alterPartition(ClusterController rules, MetadataImage image, AlterPartitionRequestData r) {
        List<AlterPartitionRequest.PartitionIsr> parts = new ArrayList<>();
        for (AlterPartitionRequestData.TopicData t : r.topics()) {
            for (AlterPartitionRequestData.PartitionData p : t.partitions()) {
                List<AlterPartitionRequest.IsrMember> isr = new ArrayList<>();
                p.newIsrWithEpochs().forEach(b -> isr.add(new AlterPartitionRequest.IsrMember(b.brokerId(), b.brokerEpoch())));
                p.newIsr().forEach(id -> isr.add(new AlterPartitionRequest.IsrMember(id, -1L)));
                parts.add(new AlterPartitionRequest.PartitionIsr(t.topicId(), p.partitionIndex(), p.leaderEpoch(), p.partitionEpoch(), isr));
            }
        }
        ControllerResult<AlterPartitionResponse> res = rules.alterPartition(image, new AlterPartitionRequest(r.brokerId(),
                r.brokerEpoch(), parts));
        AlterPartitionResponse out = res.response();
        AlterPartitionResponseData resp = new AlterPartitionResponseData().setErrorCode(out.error().error().code());
        Map<Uuid, AlterPartitionResponseData.TopicData> topics = new java.util.LinkedHashMap<>();
        for (AlterPartitionResponse.PartitionResult p : out.partitions()) {
            AlterPartitionResponseData.PartitionData pd = new AlterPartitionResponseData.PartitionData().setPartitionIndex(p.partition())
                    .setErrorCode(p.error().error().code());
            if (p.registration() != null) {
                pd.setLeaderId(p.registration().leader()).setLeaderEpoch(p.registration().leaderEpoch())
                        .setIsr(new ArrayList<>(p.registration().isr())).setPartitionEpoch(p.registration().partitionEpoch());
            }
            topics.computeIfAbsent(p.topicId(), id -> new AlterPartitionResponseData.TopicData().setTopicId(id)).partitions().add(pd);
        }
        resp.setTopics(new ArrayList<>(topics.values()));
        return Outcome.of(res.records(), resp);
    }

    private static Outcome electLeaders(ClusterController rules, MetadataImage image, ElectLeadersRequestData r) {
        ElectionType type = ElectionType.valueOf(r.electionType());
        List<org.apache.kafka.common.TopicPartition> partitions = null;
        if (r.topicPartitions() != null) {
            partitions = new ArrayList<>();
            for (ElectLeadersRequestData.TopicPartitions t : r.topicPartitions()) {
                for (int p : t.partitions()) {
                    partitions.add(new org.apache.kafka.common.TopicPartition(t.topic(), p));
                }
            }
        }
        ControllerResult<Map<org.apache.kafka.common.TopicPartition, ApiError>> res = rules.electLeaders(image, type, partitions);
        ElectLeadersResponseData resp = new ElectLeadersResponseData().setErrorCode(Errors.NONE.code());
        Map<String, ElectLeadersResponseData.ReplicaElectionResult> byTopic = new java.util.LinkedHashMap<>();
        res.response().forEach((tp, e) -> byTopic.computeIfAbsent(tp.topic(), n -> new ElectLeadersResponseData.ReplicaElectionResult()
                .setTopic(n)).partitionResult().add(new ElectLeadersResponseData.PartitionResult().setPartitionId(tp.partition())
                        .setErrorCode(e.error().code()).setErrorMessage(e.message())));
        resp.setReplicaElectionResults(new ArrayList<>(byTopic.values()));
        return Outcome.of(res.records(), resp);
    }

    private static Outcome alterPartitionReassignments(ClusterController rules, MetadataImage image,
            AlterPartitionReassignmentsRequestData r) {
        List<PartitionReassignment> all = new ArrayList<>();
        for (AlterPartitionReassignmentsRequestData.ReassignableTopic t : r.topics()) {
            for (AlterPartitionReassignmentsRequestData.ReassignablePartition p : t.partitions()) {
                all.add(new PartitionReassignment(new org.apache.kafka.common.TopicPartition(t.name(), p.partitionIndex()), p.replicas()));
            }
        }
        ControllerResult<List<ApiError>> res = rules.alterPartitionReassignments(image, all, r.allowReplicationFactorChange());
        AlterPartitionReassignmentsResponseData resp = new AlterPartitionReassignmentsResponseData().setErrorCode(Errors.NONE.code())
                .setErrorMessage(null).setAllowReplicationFactorChange(r.allowReplicationFactorChange());
        Map<String, AlterPartitionReassignmentsResponseData.ReassignableTopicResponse> byTopic = new java.util.LinkedHashMap<>();
        for (int i = 0; i < all.size(); i++) {
            PartitionReassignment p = all.get(i);
            ApiError e = res.response().get(i);
            byTopic.computeIfAbsent(p.partition().topic(), n -> new AlterPartitionReassignmentsResponseData.ReassignableTopicResponse()
                    .setName(n)).partitions().add(new AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse()
                            .setPartitionIndex(p.partition().partition()).setErrorCode(e.error().code()).setErrorMessage(e.message()));
        }
        resp.setResponses(new ArrayList<>(byTopic.values()));
        return Outcome.of(res.records(), resp);
    }

    private static Outcome listPartitionReassignments(MetadataImage image, ListPartitionReassignmentsRequestData r) {
        List<org.apache.kafka.common.TopicPartition> partitions = null;
        if (r.topics() != null) {
            partitions = new ArrayList<>();
            for (ListPartitionReassignmentsRequestData.ListPartitionReassignmentsTopics t : r.topics()) {
                for (int p : t.partitionIndexes()) {
                    partitions.add(new org.apache.kafka.common.TopicPartition(t.name(), p));
                }
            }
        }
        ListPartitionReassignmentsResponseData resp = new ListPartitionReassignmentsResponseData().setErrorCode(Errors.NONE.code())
                .setErrorMessage(null);
        Map<String, ListPartitionReassignmentsResponseData.OngoingTopicReassignment> byTopic = new java.util.LinkedHashMap<>();
        ClusterController.listPartitionReassignments(image, partitions).forEach((tp, reg) -> byTopic.computeIfAbsent(tp.topic(),
                n -> new ListPartitionReassignmentsResponseData.OngoingTopicReassignment().setName(n)).partitions()
                .add(new ListPartitionReassignmentsResponseData.OngoingPartitionReassignment().setPartitionIndex(tp.partition())
                        .setReplicas(new ArrayList<>(reg.replicas())).setAddingReplicas(new ArrayList<>(reg.addingReplicas()))
                        .setRemovingReplicas(new ArrayList<>(reg.removingReplicas()))));
        resp.setTopics(new ArrayList<>(byTopic.values()));
        return Outcome.of(List.of(), resp);
    }
}
