package org.tributary.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.hazelcast.core.LifecycleEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.testing.SplitGrid;

/**
 * A real split and merge of the data grid (three embedded members, {@link SplitGrid}) with a
 * node registered on each: each side hears that the nodes of the other side left, and after the
 * merge each node hears that every node it heard leave is back, on both sides. A node's
 * "gone" hints (the controller it stops naming) depend on hearing this: a hint that outlives the
 * split pins a node to a wrong view for the rest of a quorum term.
 */
@Timeout(120)
class GridMembersSplitTest {
    private static final String CLUSTER = "c1";

    private SplitGrid grid;
    private final List<GridMembers> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(GridMembers::close);
        if (grid != null) {
            grid.close();
        }
    }

    @Test
    void eachSideHearsTheOtherLeaveAndAfterTheMergeHearsItBack() throws Exception {
        grid = new SplitGrid(3);
        List<Set<Integer>> left = new ArrayList<>();
        List<Set<Integer>> back = new ArrayList<>();
        for (int n = 0; n < 3; n++) {
            Set<Integer> l = ConcurrentHashMap.newKeySet();
            Set<Integer> b = ConcurrentHashMap.newKeySet();
            left.add(l);
            back.add(b);
            nodes.add(GridMembers.join(grid.member(n), CLUSTER, n, l::add, b::add));
        }
        await("each node to hear the nodes that joined after it register", 10_000,
                () -> back.get(0).equals(Set.of(1, 2)) && back.get(1).equals(Set.of(2)));
        for (int n = 0; n < 3; n++) {
            assertTrue(nodes.get(n).present(0) && nodes.get(n).present(1) && nodes.get(n).present(2), "node " + n + " sees all three");
            assertTrue(!nodes.get(n).present(7), "a node id nobody registered is not present");
        }
        for (int n = 0; n < 3; n++) {
            assertTrue(left.get(n).isEmpty(), "nobody left yet, as node " + n + " heard it: " + left.get(n));
            assertTrue(!back.get(n).contains(n), "a node does not hear itself come back");
            back.get(n).clear();
        }

        CountDownLatch merged = new CountDownLatch(1);
        grid.member(2).getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
                merged.countDown();
            }
        });
        grid.split(Set.of(0, 1));
        await(() -> "each side to hear the other side leave (heard, by node: " + left + ")", 30_000, () -> left.get(0).equals(Set.of(2)) && left.get(1).equals(Set.of(2))
                && left.get(2).equals(Set.of(0, 1)));
        for (int n = 0; n < 3; n++) {
            assertEquals(Set.of(), back.get(n), "nothing comes back while split, as node " + n + " heard it");
        }
        // what each side's grid view holds now: the majority side itself and each other, the lone side only itself
        assertTrue(nodes.get(0).present(0) && nodes.get(0).present(1) && !nodes.get(0).present(2), "node 0's view while split");
        assertTrue(nodes.get(1).present(0) && nodes.get(1).present(1) && !nodes.get(1).present(2), "node 1's view while split");
        assertTrue(nodes.get(2).present(2) && !nodes.get(2).present(0) && !nodes.get(2).present(1), "node 2's view while split");

        grid.heal();
        assertTrue(merged.await(40, TimeUnit.SECONDS), "member 2 merged into the larger side");
        await(() -> "each node to hear every node it heard leave come back (heard, by node: " + back + ")", 20_000, () -> back.get(0).contains(2) && back.get(1).contains(2)
                && back.get(2).containsAll(Set.of(0, 1)));
        for (int n = 0; n < 3; n++) {
            assertTrue(!back.get(n).contains(n), "node " + n + " does not hear itself come back: " + back.get(n));
        }
        await(() -> "every node's view to hold every node again", 20_000, () -> nodes.stream()
                .allMatch(g -> g.present(0) && g.present(1) && g.present(2)));
        assertEquals(0, grid.unknownCallers(), "every connection went through a proxy that knew its caller");
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        await(() -> what, timeoutMs, condition);
    }

    private static void await(java.util.function.Supplier<String> what, long timeoutMs, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("waited " + timeoutMs + " ms for: " + what.get());
            }
            Thread.sleep(20);
        }
    }
}
