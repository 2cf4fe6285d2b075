package org.tributary.quorum;

import java.util.logging.Logger;

/**
 * The log codes of the quorum package (TRIB-0100..TRIB-0149), each used in one place:
 * <ul>
 * <li>TRIB-0100 member started (id, role wanted, group, storage)</li>
 * <li>TRIB-0101 member closed (time taken)</li>
 * <li>TRIB-0102 member could not start</li>
 * <li>TRIB-0103 close did not finish cleanly</li>
 * <li>TRIB-0104 this member became leader (epoch)</li>
 * <li>TRIB-0105 this member resigned leadership (epoch)</li>
 * <li>TRIB-0110 the state machine threw while applying an entry</li>
 * <li>TRIB-0111 entry skipped: its epoch is not the term it was appended in</li>
 * <li>TRIB-0112 snapshot written (offset, bytes)</li>
 * <li>TRIB-0113 snapshot loaded (offset, installed from the leader or at start)</li>
 * <li>TRIB-0114 snapshot could not be written or loaded</li>
 * <li>TRIB-0115 observer added or removed</li>
 * <li>TRIB-0116 a leadership callback of the state machine threw</li>
 * <li>TRIB-0117 the tracking transport cannot be loaded by Ratis (an EAR); plain Netty (or gRPC) is used</li>
 * <li>TRIB-0118 the Raft engine stopped by itself</li>
 * <li>TRIB-0119 a peer's certificate was refused (mutual TLS; at most once a minute per subject)</li>
 * <li>TRIB-0120 Ratis threads still running a while after the member closed (an undeploy)</li>
 * </ul>
 */
final class QuorumLog {
    static final Logger LOG = Logger.getLogger("org.tributary.quorum");

    private QuorumLog() {
    }
}
