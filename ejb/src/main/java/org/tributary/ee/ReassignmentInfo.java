package org.tributary.ee;

import java.util.List;

/**
 * A partition's reassignment (KIP-455), as ListPartitionReassignments reports it: {@code replicas}
 * is the target followed by the replicas being removed; {@code adding} and {@code removing} are
 * empty once the reassignment is complete.
 */
public record ReassignmentInfo(String topic, int partition, List<Integer> replicas, List<Integer> adding, List<Integer> removing) {

    /** Whether replicas are still being added or removed. */
    public boolean ongoing() {
        return !adding.isEmpty() || !removing.isEmpty();
    }
}
