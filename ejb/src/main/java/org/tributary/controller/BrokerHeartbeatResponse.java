package org.tributary.controller;

/**
 * The broker's state once the heartbeat's records (if any) apply: fenced, in controlled shutdown,
 * and whether it may stop now.
 */
public record BrokerHeartbeatResponse(ApiError error, boolean fenced, boolean inControlledShutdown, boolean shouldShutDown) {
    static BrokerHeartbeatResponse error(ApiError e) {
        return new BrokerHeartbeatResponse(e, true, false, false);
    }
}
