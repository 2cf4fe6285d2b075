package org.tributary.api;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
import org.tributary.group.GroupCoordinator;
import org.tributary.group.GroupDescription;
import org.tributary.group.GroupState;

/** FindCoordinator, ListGroups, DescribeGroups and DeleteGroups. */
final class GroupAdminHandler {
    private static final byte KEY_TYPE_GROUP = 0;

    private final ApiServices services;
    private final GroupCoordinator coordinator;

    GroupAdminHandler(ApiServices services, GroupCoordinator coordinator) {
        this.services = services;
        this.coordinator = coordinator;
    }

    CompletionStage<ApiMessage> findCoordinator(RequestContext ctx, ApiMessage message) {
        FindCoordinatorRequestData req = (FindCoordinatorRequestData) message;
        short v = ctx.apiVersion();
        FindCoordinatorResponseData out = new FindCoordinatorResponseData().setThrottleTimeMs(0);
        if (v < 4) {
            FindCoordinatorResponseData.Coordinator c = coordinatorFor(req.key(), req.keyType(), ctx.listenerName());
            return CompletableFuture.completedFuture(out.setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage())
                    .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port()));
        }
        for (String key : req.coordinatorKeys()) {
            out.coordinators().add(coordinatorFor(key, req.keyType(), ctx.listenerName()));
        }
        return CompletableFuture.completedFuture(out);
    }

    private FindCoordinatorResponseData.Coordinator coordinatorFor(String key, byte keyType, String listener) {
        FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator().setKey(key)
                .setNodeId(-1).setHost("").setPort(-1);
        if (keyType != KEY_TYPE_GROUP) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("This broker has no coordinator for key type " + keyType + " (only consumer groups)");
        }
        if (key == null || key.isEmpty()) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("The group id is empty");
        }
        int leader;
        try {
            coordinator.ensureOffsetsTopic(); // creates __consumer_offsets on first use
            leader = leaderOf(coordinator.partitionFor(key));
        } catch (RuntimeException e) {
            Errors err = ApiErrors.of(e, "FindCoordinator");
            return c.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code()).setErrorMessage(ApiErrors.message(e, err));
        }
        Optional<org.tributary.metadata.BrokerEndpoint> broker = services.cluster().liveBrokers().stream().filter(b -> b.id() == leader)
                .findFirst().flatMap(b -> ListenerEndpoints.of(b, listener));
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
        for (GroupDescription g : coordinator.listGroups(states)) {
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
        for (String id : req.groups()) {
            Map.Entry<Errors, GroupDescription> d = coordinator.describe(id);
            GroupDescription g = d.getValue();
            DescribeGroupsResponseData.DescribedGroup dg = new DescribeGroupsResponseData.DescribedGroup().setGroupId(id)
                    .setErrorCode(d.getKey().code()).setGroupState(g.state().kafkaName()).setProtocolType(g.protocolType())
                    .setProtocolData(g.protocolName())
                    .setAuthorizedOperations(req.includeAuthorizedOperations() ? ALL_GROUP_OPERATIONS : Integer.MIN_VALUE);
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

    /** READ, DELETE, DESCRIBE as Kafka's AclOperation bit positions: no authorizer, so everything a group supports. */
    private static final int ALL_GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

    CompletionStage<ApiMessage> deleteGroups(RequestContext ctx, ApiMessage message) {
        DeleteGroupsRequestData req = (DeleteGroupsRequestData) message;
        DeleteGroupsResponseData out = new DeleteGroupsResponseData().setThrottleTimeMs(0);
        List<String> ids = new ArrayList<>(req.groupsNames());
        return coordinator.deleteGroups(ids).thenApply(results -> {
            results.forEach((id, e) -> out.results().add(
                    new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(id).setErrorCode(e.code())));
            return out;
        });
    }
}
