/**
 * The consensus adapter for cluster metadata: an append-only log of opaque entries replicated by
 * Raft (Apache Ratis) among the voter brokers, followed by non-voting observers.
 *
 * <p>{@link org.tributary.quorum.RaftQuorum} is the only entry point. The metadata side plugs in a
 * {@link org.tributary.quorum.ReplicatedStateMachine} (applies committed entries, writes and loads
 * snapshots, learns about leadership) and a {@link org.tributary.quorum.LeaderRequestHandler}
 * (answers requests routed to the leader). Nothing here knows what an entry means, and no Ratis
 * type appears in the public API, so Ratis can be upgraded or replaced behind it.
 *
 * <p>Log codes TRIB-0100..TRIB-0149 belong to this package (catalogue in {@link
 * org.tributary.quorum.QuorumLog}).
 */
package org.tributary.quorum;
