/**
 * The machinery internal-topic coordinators share (Kafka's group and transaction coordinators):
 * a {@link org.tributary.coordinator.CoordinatorLog} over the partitions of a compacted internal
 * topic (acks=all writes, acknowledged once the high watermark covers them; replay on
 * leadership, with each record's producer and the transaction markers for coordinators that
 * keep transactional state), and {@link org.tributary.coordinator.CoordinatorShards}, which follows this
 * broker's leaderships of those partitions: load on becoming leader, unload on resigning. Plain
 * Java; the protocol layer implements the log over the broker's own partitions.
 */
package org.tributary.coordinator;
