package org.tributary.controller;

/**
 * A registered broker's state as the controller manages it. FENCED, UNFENCED and
 * CONTROLLED_SHUTDOWN are kept in the metadata image; SHUTDOWN_NOW is the answer to a broker that
 * may stop (it is then fenced).
 *
 * <pre>
 *  (register) ──▶ FENCED ──caught up, wants unfence──▶ UNFENCED ──wants shutdown, leads──▶ CONTROLLED_SHUTDOWN
 *                   ▲  ▲                                  │  │                                   │
 *                   │  └──wants fence / session expired / │  └─wants shutdown, leads nothing─┐    │ leads nothing and
 *                   │     member left / re-registers ─────┘                                   ▼    ▼ active brokers caught up
 *                   └──────────────────────────────────────────────────────────────── SHUTDOWN_NOW (fenced)
 * </pre>
 *
 * A broker in CONTROLLED_SHUTDOWN is also fenced when its session expires or its grid member
 * leaves. Fencing removes the broker from every ISR that has other members and moves its
 * leaderships; entering controlled shutdown does the same while the broker still heartbeats.
 */
public enum BrokerControlState {
    /** May not lead or be in an ISR of more than one member; waits to catch up with its registration. */
    FENCED,
    /** Serves: may lead partitions, join ISRs and receive new replicas. */
    UNFENCED,
    /** Unfenced but leaving: leads nothing it can hand over, joins no ISR, receives no new replicas. */
    CONTROLLED_SHUTDOWN,
    /** The broker may stop now; it has been fenced. */
    SHUTDOWN_NOW
}
