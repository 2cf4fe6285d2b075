package org.tributary.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.RegisterBrokerRecord;

/**
 * Broker registration, heartbeats, session expiry and the state machine of
 * {@link BrokerControlState} (facts from Kafka's {@code ClusterControlManager} and
 * {@code BrokerHeartbeatManager}). Registration and fencing state live in the log; sessions live in
 * {@link BrokerSessions}.
 *
 * <p>Not thread-safe; owned by the controller's single event thread.
 */
final class ClusterControl {
    /** The first id handed to a broker that asks for one, unless a higher id is registered. */
    static final int FIRST_ASSIGNED_ID = 1000;

    private final BrokerSessions sessions;

    ClusterControl(BrokerSessions sessions) {
        this.sessions = sessions;
    }

    RegisterBrokerResponse register(Changes c, RegisterBrokerRequest req, long nowMs) {
        int id = req.brokerId();
        if (id == RegisterBrokerRequest.ASSIGN_ID) {
            int highest = FIRST_ASSIGNED_ID - 1;
            for (BrokerRegistration b : c.state.brokers()) {
                highest = Math.max(highest, b.id());
            }
            id = highest + 1;
        } else if (id < 0) {
            return new RegisterBrokerResponse(ApiError.of(Errors.INVALID_REQUEST, "Broker id must be >= 0 or -1, was " + id), id);
        }
        Optional<BrokerRegistration> existing = c.state.broker(id);
        if (existing.isPresent()) {
            BrokerRegistration old = existing.get();
            if (!old.incarnationId().equals(req.incarnationId()) && !old.fenced()
                    && sessions.hasValidSession(id, old.incarnationId(), nowMs)) {
                return new RegisterBrokerResponse(ApiError.of(Errors.DUPLICATE_BROKER_REGISTRATION, "Broker " + id
                        + " is registered by another live process (incarnation " + old.incarnationId() + ")"), id);
            }
            if (!old.fenced()) {
                ReplicationControl.fence(c, id); // the old incarnation's leaderships and ISR places end here
            }
        }
        c.add(new RegisterBrokerRecord(id, req.incarnationId(), MetadataRecord.EPOCH_OF_ENTRY, req.host(), req.kafkaPort(),
                req.httpPort(), req.rack(), true, req.cleanShutdown(), req.endpoints()));
        sessions.registered(id, req.incarnationId(), nowMs);
        return new RegisterBrokerResponse(ApiError.NONE, id);
    }

    BrokerHeartbeatResponse heartbeat(Changes c, BrokerHeartbeatRequest req, long nowMs) {
        Optional<BrokerRegistration> reg = c.state.broker(req.brokerId());
        if (reg.isEmpty() || reg.get().epoch() != req.brokerEpoch()) {
            return BrokerHeartbeatResponse.error(ApiError.of(Errors.STALE_BROKER_EPOCH, "Broker " + req.brokerId() + " epoch "
                    + req.brokerEpoch() + " is not its registered epoch"
                    + reg.map(r -> " " + r.epoch()).orElse(" (not registered)")));
        }
        BrokerRegistration b = reg.get();
        int id = b.id();
        sessions.touch(id, b.incarnationId(), nowMs, req.appliedOffset());
        boolean shutDown = false;
        switch (state(b)) {
            case FENCED:
                if (req.wantShutdown()) {
                    shutDown = true;
                } else if (!req.wantFence() && req.appliedOffset() >= b.epoch()) {
                    ReplicationControl.unfence(c, id);
                }
                break;
            case UNFENCED:
                if (req.wantFence()) {
                    ReplicationControl.fence(c, id);
                    shutDown = req.wantShutdown();
                } else if (req.wantShutdown()) {
                    if (ReplicationControl.leadsAny(c.state, id)) {
                        ReplicationControl.enterControlledShutdown(c, id);
                    } else {
                        ReplicationControl.fence(c, id);
                        shutDown = true;
                    }
                }
                break;
            case CONTROLLED_SHUTDOWN:
                ReplicationControl.enterControlledShutdown(c, id); // moves any leadership that can move now
                if (!c.records().isEmpty()) {
                    sessions.setControlledShutdownOffset(id, b.incarnationId(), -1); // wait for these moves too
                } else if (!ReplicationControl.leadsAny(c.state, id) && othersCaughtUp(c, id)) {
                    ReplicationControl.fence(c, id);
                    shutDown = true;
                }
                break;
            default:
                throw new IllegalStateException("unexpected state of broker " + id);
        }
        BrokerRegistration after = c.state.broker(id).orElseThrow();
        return new BrokerHeartbeatResponse(ApiError.NONE, after.fenced(), after.inControlledShutdown(), shutDown);
    }

    /**
     * Whether every active broker has applied the log up to the point where this broker's
     * leaderships had moved (Kafka's controlled-shutdown offset), so none still follows it as leader.
     */
    private boolean othersCaughtUp(Changes c, int id) {
        BrokerRegistration b = c.state.broker(id).orElseThrow();
        long offset = sessions.controlledShutdownOffset(id, b.incarnationId());
        if (offset < 0) {
            offset = c.state.base().offset();
            sessions.setControlledShutdownOffset(id, b.incarnationId(), offset);
        }
        for (BrokerRegistration other : c.state.brokers()) {
            if (other.id() != id && other.active() && sessions.appliedOffset(other.id(), other.incarnationId()) < offset) {
                return false;
            }
        }
        return true;
    }

    static BrokerControlState state(BrokerRegistration b) {
        if (b.fenced()) {
            return BrokerControlState.FENCED;
        }
        return b.inControlledShutdown() ? BrokerControlState.CONTROLLED_SHUTDOWN : BrokerControlState.UNFENCED;
    }

    /** Fences every unfenced broker whose session has expired. */
    List<Integer> fenceExpired(Changes c, long nowMs) {
        List<Integer> fenced = new ArrayList<>();
        for (BrokerRegistration b : c.state.brokers()) {
            if (!b.fenced() && !sessions.hasValidSession(b.id(), b.incarnationId(), nowMs)) {
                ReplicationControl.fence(c, b.id());
                fenced.add(b.id());
            }
        }
        return fenced;
    }

    /**
     * A hint recorded before this controller's election, applied after it, by a member whose own
     * view of the grid may have been the wrong one (it was the one cut off, seeing everyone
     * "leave"): a broker that has heartbeated to this controller since its election is alive.
     */
    ApiError memberLeftBeforeElection(Changes c, int brokerId, Uuid incarnationId) {
        if (sessions.heardSinceElection(brokerId, incarnationId)) {
            return ApiError.NONE;
        }
        return memberLeft(c, brokerId, incarnationId);
    }

    /** The grid says the broker's member left: end its session and fence it now. */
    ApiError memberLeft(Changes c, int brokerId, Uuid incarnationId) {
        Optional<BrokerRegistration> b = c.state.broker(brokerId);
        if (b.isEmpty() || (incarnationId != null && !incarnationId.equals(b.get().incarnationId()))) {
            return ApiError.of(Errors.STALE_BROKER_EPOCH, "Broker " + brokerId + " has no registration of that incarnation");
        }

        sessions.expire(brokerId, b.get().incarnationId());
        if (!b.get().fenced()) {
            ReplicationControl.fence(c, brokerId);
        }
        return ApiError.NONE;
    }
}
