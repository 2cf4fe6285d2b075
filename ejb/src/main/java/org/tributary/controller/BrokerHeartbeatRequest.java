package org.tributary.controller;

/**
 * A broker's periodic heartbeat: its id and epoch, the offset of the last metadata entry it has
 * applied, whether it wants to be fenced (e.g. its log directory failed) and whether it wants to
 * shut down.
 */
public record BrokerHeartbeatRequest(int brokerId, long brokerEpoch, long appliedOffset, boolean wantFence, boolean wantShutdown) {
}
