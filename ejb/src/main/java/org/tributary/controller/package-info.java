/**
 * The active controller's rules, as pure functions of (pending metadata image, request, time) that
 * return the metadata records to append and the response
 * ({@link org.tributary.controller.ClusterController}): broker registration, heartbeats and
 * fencing ({@link org.tributary.controller.BrokerControlState}), rack-aware replica placement,
 * leader election, ISR changes (AlterPartition), partition reassignments (KIP-455), topics, configs
 * and producer-id blocks. No I/O, no
 * threads, no clock; the quorum adapter appends the records and replies once they commit.
 */
package org.tributary.controller;
