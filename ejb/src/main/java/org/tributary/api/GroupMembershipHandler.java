package org.tributary.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.group.GroupCoordinator;
import org.tributary.group.JoinRequest;
import org.tributary.group.JoinResult;

/** JoinGroup, SyncGroup, Heartbeat and LeaveGroup of the classic group protocol, over the {@link GroupCoordinator}. */
final class GroupMembershipHandler {
    private final GroupCoordinator coordinator;
    private final RequestAuthorizer authorizer;

    GroupMembershipHandler(GroupCoordinator coordinator, RequestAuthorizer authorizer) {
        this.coordinator = coordinator;
        this.authorizer = authorizer;
    }

    /** Kafka's check for the membership APIs: READ on the group, else GROUP_AUTHORIZATION_FAILED. */
    private void authorize(RequestContext ctx, String groupId) {
        authorizer.requireGroup(ctx, org.apache.kafka.common.acl.AclOperation.READ, groupId);
    }

    CompletionStage<ApiMessage> joinGroup(RequestContext ctx, ApiMessage message) {
        JoinGroupRequestData req = (JoinGroupRequestData) message;
        authorize(ctx, req.groupId());
        short v = ctx.apiVersion();
        List<JoinRequest.ProtocolMetadata> protocols = new ArrayList<>();
        req.protocols().forEach(p -> protocols.add(new JoinRequest.ProtocolMetadata(p.name(), p.metadata())));
        int rebalanceTimeout = v == 0 || req.rebalanceTimeoutMs() < 0 ? req.sessionTimeoutMs() : req.rebalanceTimeoutMs();
        JoinRequest r = new JoinRequest(req.groupId(), req.memberId(), req.groupInstanceId(), ctx.clientId(),
                "/" + ctx.clientAddress().getHostAddress(), req.sessionTimeoutMs(), rebalanceTimeout, req.protocolType(), protocols,
                v >= 4, v >= 9);
        return coordinator.join(r).thenApply(res -> toResponse(res, v));
    }

    private static ApiMessage toResponse(JoinResult res, short v) {
        JoinGroupResponseData out = new JoinGroupResponseData().setThrottleTimeMs(0).setErrorCode(res.error().code())
                .setGenerationId(res.generationId()).setMemberId(res.memberId() == null ? "" : res.memberId())
                .setLeader(res.leaderId() == null ? "" : res.leaderId()).setSkipAssignment(v >= 9 && res.skipAssignment());
        String name = res.protocolName();
        out.setProtocolName(name == null && v < 7 ? "" : name);
        if (v >= 7) {
            out.setProtocolType(res.protocolType());
        }
        for (JoinResult.MemberMetadata m : res.members()) {
            out.members().add(new JoinGroupResponseData.JoinGroupResponseMember().setMemberId(m.memberId())
                    .setGroupInstanceId(v >= 5 ? m.groupInstanceId() : null).setMetadata(m.metadata() == null ? new byte[0] : m.metadata()));
        }
        return out;
    }

    CompletionStage<ApiMessage> syncGroup(RequestContext ctx, ApiMessage message) {
        SyncGroupRequestData req = (SyncGroupRequestData) message;
        authorize(ctx, req.groupId());
        short v = ctx.apiVersion();
        Map<String, byte[]> assignments = new HashMap<>();
        req.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
        return coordinator.sync(req.groupId(), req.generationId(), req.memberId(), req.groupInstanceId(),
                v >= 5 ? req.protocolType() : null, v >= 5 ? req.protocolName() : null, assignments)
                .thenApply(res -> {
                    SyncGroupResponseData out = new SyncGroupResponseData().setThrottleTimeMs(0).setErrorCode(res.error().code())
                            .setAssignment(res.assignment() == null ? new byte[0] : res.assignment());
                    if (v >= 5) {
                        out.setProtocolType(res.protocolType()).setProtocolName(res.protocolName());
                    }
                    return out;
                });
    }

    CompletionStage<ApiMessage> heartbeat(RequestContext ctx, ApiMessage message) {
        HeartbeatRequestData req = (HeartbeatRequestData) message;
        authorize(ctx, req.groupId());
        Errors e = coordinator.heartbeat(req.groupId(), req.memberId(), req.groupInstanceId(), req.generationId());
        return CompletableFuture.completedFuture(new HeartbeatResponseData().setThrottleTimeMs(0).setErrorCode(e.code()));
    }

    CompletionStage<ApiMessage> leaveGroup(RequestContext ctx, ApiMessage message) {
        LeaveGroupRequestData req = (LeaveGroupRequestData) message;
        authorize(ctx, req.groupId());
        short v = ctx.apiVersion();
        List<GroupCoordinator.Leaving> leaving = new ArrayList<>();
        if (v < 3) {
            leaving.add(new GroupCoordinator.Leaving(req.memberId(), null));
        } else {
            req.members().forEach(m -> leaving.add(new GroupCoordinator.Leaving(m.memberId(), m.groupInstanceId())));
        }
        Map.Entry<Errors, List<Errors>> res = coordinator.leave(req.groupId(), leaving);
        LeaveGroupResponseData out = new LeaveGroupResponseData().setThrottleTimeMs(0);
        if (v < 3) {
            Errors e = res.getKey() != Errors.NONE ? res.getKey() : res.getValue().get(0);
            return CompletableFuture.completedFuture(out.setErrorCode(e.code()));
        }
        out.setErrorCode(res.getKey().code());
        for (int i = 0; i < res.getValue().size(); i++) {
            GroupCoordinator.Leaving l = leaving.get(i);
            out.members().add(new LeaveGroupResponseData.MemberResponse().setMemberId(l.memberId())
                    .setGroupInstanceId(l.groupInstanceId()).setErrorCode(res.getValue().get(i).code()));
        }
        return CompletableFuture.completedFuture(out);
    }
}
