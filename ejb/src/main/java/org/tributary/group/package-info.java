/**
 * The group coordinator for Kafka's classic group protocol: membership (JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup) with client-side assignors, static membership (KIP-345), generations
 * that fence stale members, and committed offsets kept in the compacted internal topic
 * {@code __consumer_offsets}, including transactional offsets (TxnOffsetCommit, KIP-98/KIP-447),
 * pending until their transaction's marker. Plain Java: the protocol layer turns requests into calls on
 * {@link org.tributary.group.GroupCoordinator}; storage is reached through
 * {@link org.tributary.group.CoordinatorLog}; time is injected, deadlines are checked by
 * {@link org.tributary.group.GroupCoordinator#tick()}.
 */
package org.tributary.group;
