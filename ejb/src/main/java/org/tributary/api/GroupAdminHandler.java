package org.tributary.api;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.resource.ResourceType;
import org.tributary.cluster.BrokerInfo;
import org.tributary.group.GroupCoordinator;
import org.tributary.group.GroupDescription;
import org.tributary.group.GroupState;

/** FindCoordinator, ListGroups, DescribeGroups and DeleteGroups. */
final class GroupAdminHandler {
    private static final byte KEY_TYPE_GROUP = 0;
    private static final byte KEY_TYPE_TRANSACTION = 1;

    private final ApiServices services;
    private final GroupCoordinator coordinator;

    /** Key type 1: null when this broker runs no transaction coordinator. */
    private final org.tributary.txn.TransactionCoordinator txns;
    private final InternalTopicLog txnLog;

    GroupAdminHandler(ApiServices services, GroupCoordinator coordinator) {
        this(services, coordinator, null, null);
    }

    GroupAdminHandler(ApiServices services, GroupCoordinator coordinator, org.tributary.txn.TransactionCoordinator txns,
            InternalTopicLog txnLog) {
        this.services = services;
        this.coordinator = coordinator;
        this.txns = txns;
        this.txnLog = txnLog;
    }

    CompletionStage<ApiMessage> findCoordinator(RequestContext ctx, ApiMessage message) {
        FindCoordinatorRequestData req = (FindCoordinatorRequestData) message;
        short v = ctx.apiVersion();
        FindCoordinatorResponseData out = new FindCoordinatorResponseData().setThrottleTimeMs(0);
        if (v < 4) {
            FindCoordinatorResponseData.Coordinator c = coordinatorFor(ctx, req.key(), req.keyType());
            return CompletableFuture.completedFuture(out.setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage())
                    .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port()));
        }
        for (String key : req.coordinatorKeys()) {
            out.coordinators().add(coordinatorFor(ctx, key, req.keyType()));
        }
        return CompletableFuture.completedFuture(out);
    }

    private FindCoordinatorResponseData.Coordinator coordinatorFor(RequestContext ctx, String key, byte keyType) {
        FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator().setKey(key)
                .setNodeId(-1).setHost("").setPort(-1);
        // Kafka's check: DESCRIBE on the group (key type 0) or on the transactional id (key type 1)
        RequestAuthorizer auth = services.authorizer();
        String name = key == null ? "" : key;
        if (keyType == KEY_TYPE_GROUP && !auth.allows(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, name)) {
            return c.setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()).setErrorMessage(Errors.GROUP_AUTHORIZATION_FAILED.message());
        }
        if (keyType == KEY_TYPE_TRANSACTION && !auth.allows(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, name)) {
            return c.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code())
                    .setErrorMessage(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.message());
        }
        boolean txn = keyType == KEY_TYPE_TRANSACTION && txns != null;
        if (keyType != KEY_TYPE_GROUP && !txn) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("This broker has no coordinator for key type " + keyType);
        }
        if (key == null || key.isEmpty()) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(txn ? "The transactional id is empty" : "The group id is empty");
        }
        int leader;
        try {
            if (txn) {
                txns.ensureTopic(); // creates __transaction_state on first use
                leader = txnLog.leaderOf(txns.partitionFor(key));
            } else {
                coordinator.ensureOffsetsTopic(); // creates __consumer_offsets on first use
                leader = leaderOf(coordinator.partitionFor(key));
            }
        } catch (RuntimeException e) {
            Errors err = ApiErrors.of(e, "FindCoordinator");
            return c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage(ApiErrors.message(e, err));
        }
        Optional<org.tributary.metadata.BrokerEndpoint> broker = services.cluster().liveBrokers().stream().filter(b -> b.id() == leader)
                .findFirst().flatMap(b -> ListenerEndpoints.of(b, ctx.listenerName()));
        if (broker.isEmpty()) {
            return c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage(Errors.COORDINATOR_NOT_AVAILABLE.message());
        }
        return c.setErrorCode(Errors.NONE.code()).setErrorMessage(null).setNodeId(leader).setHost(broker.get().host())
                .setPort(broker.get().port());
    }

    private int leaderOf(int partition) {
        return services.metadata().image().topic(OffsetsTopicLog.TOPIC)
                .filter(t -> partition < t.partitionCount()).map(t -> t.partition(partition).leader()).orElse(-1);
    }

    CompletionStage<ApiMessage> listGroups(RequestContext ctx, ApiMessage message) {
        ListGroupsRequestData req = (ListGroupsRequestData) message;
        short v = ctx.apiVersion();
        ListGroupsResponseData out = new ListGroupsResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code());
        Set<GroupState> states = EnumSet.noneOf(GroupState.class);
        boolean unknownState = false;
        for (String s : req.statesFilter()) {
            GroupState st = GroupState.parse(s);
            if (st == null) {
                unknownState = true;
            } else {
                states.add(st);
            }
        }
        boolean typeMatches = req.typesFilter().isEmpty() || req.typesFilter().stream().anyMatch("classic"::equalsIgnoreCase);
        if ((unknownState && states.isEmpty()) || !typeMatches) {
            return CompletableFuture.completedFuture(out);
        }
        if (coordinator.loading()) { // as Kafka: the list would miss the groups still loading
            return CompletableFuture.completedFuture(out.setErrorCode(Errors.COORDINATOR_LOAD_IN_PROGRESS.code()));
        }
        RequestAuthorizer auth = services.authorizer();
        boolean all = auth.filters(ctx, AclOperation.DESCRIBE, ResourceType.CLUSTER, RequestAuthorizer.CLUSTER_NAME);
        for (GroupDescription g : coordinator.listGroups(states)) {
            if (!all && !auth.filters(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId())) {
                continue; // Kafka: without DESCRIBE on the cluster, only the groups the principal may describe
            }
            ListGroupsResponseData.ListedGroup lg = new ListGroupsResponseData.ListedGroup().setGroupId(g.groupId())
                    .setProtocolType(g.protocolType());
            if (v >= 4) {
                lg.setGroupState(g.state().kafkaName());
            }
            if (v >= 5) {
                lg.setGroupType("classic");
            }
            out.groups().add(lg);
        }
        return CompletableFuture.completedFuture(out);
    }

    CompletionStage<ApiMessage> describeGroups(RequestContext ctx, ApiMessage message) {
        DescribeGroupsRequestData req = (DescribeGroupsRequestData) message;
        short v = ctx.apiVersion();
        DescribeGroupsResponseData out = new DescribeGroupsResponseData().setThrottleTimeMs(0);
        RequestAuthorizer auth = services.authorizer();
        for (String id : req.groups()) {
            if (!auth.allows(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, id)) {
                out.groups().add(new DescribeGroupsResponseData.DescribedGroup().setGroupId(id)
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()).setGroupState("").setProtocolType("")
                        .setProtocolData("").setAuthorizedOperations(Integer.MIN_VALUE));
                continue;
            }
            Map.Entry<Errors, GroupDescription> d = coordinator.describe(id);
            GroupDescription g = d.getValue();
            DescribeGroupsResponseData.DescribedGroup dg = new DescribeGroupsResponseData.DescribedGroup().setGroupId(id)
                    .setErrorCode(d.getKey().code()).setGroupState(g.state().kafkaName()).setProtocolType(g.protocolType())
                    .setProtocolData(g.protocolName())
                    .setAuthorizedOperations(req.includeAuthorizedOperations()
                            ? auth.authorizedOperations(ctx, ResourceType.GROUP, id) : Integer.MIN_VALUE);
            if (d.getKey() == Errors.NONE && g.state() == GroupState.DEAD && v >= 6) {
                dg.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + id + " not found.");
            }
            for (GroupDescription.MemberDescription m : g.members()) {
                dg.members().add(new DescribeGroupsResponseData.DescribedGroupMember().setMemberId(m.memberId())
                        .setGroupInstanceId(v >= 4 ? m.groupInstanceId() : null).setClientId(m.clientId() == null ? "" : m.clientId())
                        .setClientHost(m.clientHost() == null ? "" : m.clientHost())
                        .setMemberMetadata(m.metadata() == null ? new byte[0] : m.metadata())
                        .setMemberAssignment(m.assignment() == null ? new byte[0] : m.assignment()));
            }
            out.groups().add(dg);
        }
        return CompletableFuture.completedFuture(out);
    }

    CompletionStage<ApiMessage> deleteGroups(RequestContext ctx, ApiMessage message) {
        DeleteGroupsRequestData req = (DeleteGroupsRequestData) message;
        DeleteGroupsResponseData out = new DeleteGroupsResponseData().setThrottleTimeMs(0);
        List<String> ids = new ArrayList<>();
        for (String id : req.groupsNames()) {
            if (services.authorizer().allows(ctx, AclOperation.DELETE, ResourceType.GROUP, id)) { // Kafka: DELETE on the group
                ids.add(id);
            } else {
                out.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(id)
                        .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code()));
            }
        }
        if (ids.isEmpty()) {
            return CompletableFuture.completedFuture(out);
        }
        return coordinator.deleteGroups(ids).thenApply(results -> {
            results.forEach((id, e) -> out.results().add(
                    new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(id).setErrorCode(e.code())));
            return out;
        });
    }
}
