package org.tributary.controller;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.tributary.metadata.BrokerRegistration;

/**
 * Places replicas of new partitions on the usable brokers; deterministic for a given broker set
 * and start slot.
 *
 * <p>Brokers are listed rack by rack in turn (racks by name, brokers without a rack forming one
 * group; brokers in a rack by id): with racks a, b and brokers a1 a2 b1 this gives a1 b1 a2.
 * Partition {@code i} takes slot {@code start + i}: its leader (first replica, the preferred
 * leader) is broker {@code slot mod n} of that list, so leaders go round the brokers evenly. The
 * followers are the next brokers of the list after the leader, from a shift that changes after
 * every round of {@code n} partitions (so the followers of a broker's leaderships vary), skipping
 * brokers on racks already used until every rack is used: no two replicas share a rack while there
 * are racks enough.
 *
 * <p>Stateless.
 */
final class ReplicaPlacer {
    private ReplicaPlacer() {
    }

    /** Replicas for {@code count} partitions of {@code rf} replicas; requires {@code 1 <= rf <= brokers.size()}. */
    static List<List<Integer>> place(List<BrokerRegistration> brokers, int start, int count, int rf) {
        if (rf < 1 || rf > brokers.size()) {
            throw new IllegalArgumentException("replication factor " + rf + " with " + brokers.size() + " brokers");
        }
        List<BrokerRegistration> order = rackInterleaved(brokers);
        int n = order.size();
        List<List<Integer>> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int slot = Math.floorMod(start + i, Integer.MAX_VALUE);
            int leader = slot % n;
            int shift = n > 1 ? (slot / n) % (n - 1) : 0;
            List<Integer> replicas = new ArrayList<>(rf);
            Set<String> racks = new HashSet<>();
            replicas.add(order.get(leader).id());
            racks.add(rackOf(order.get(leader)));
            for (int pass = 0; pass < 2 && replicas.size() < rf; pass++) {
                for (int k = 0; k < n - 1 && replicas.size() < rf; k++) {
                    BrokerRegistration b = order.get((leader + 1 + (shift + k) % (n - 1)) % n);
                    if (replicas.contains(b.id()) || (pass == 0 && racks.contains(rackOf(b)))) {
                        continue;
                    }
                    replicas.add(b.id());
                    racks.add(rackOf(b));
                }
            }
            out.add(replicas);
        }
        return out;
    }

    private static String rackOf(BrokerRegistration b) {
        return Objects.requireNonNullElse(b.rack(), "");
    }

    static List<BrokerRegistration> rackInterleaved(List<BrokerRegistration> brokers) {
        Map<String, List<BrokerRegistration>> byRack = new TreeMap<>();
        brokers.stream().sorted((a, b) -> Integer.compare(a.id(), b.id()))
                .forEach(b -> byRack.computeIfAbsent(rackOf(b), r -> new ArrayList<>()).add(b));
        List<BrokerRegistration> out = new ArrayList<>(brokers.size());
        for (int i = 0; out.size() < brokers.size(); i++) {
            for (List<BrokerRegistration> rack : byRack.values()) {
                if (i < rack.size()) {
                    out.add(rack.get(i));
                }
            }
        }
        return out;
    }
}
