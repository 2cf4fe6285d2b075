package org.tributary.grid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.testing.SplitGrid;

/**
 * A real split and merge of the data grid (three embedded members whose TCP links are cut and
 * restored, {@link SplitGrid}) while the active controller publishes: the published view must end
 * on the newest committed image on every member, whichever side the controller was on, and never
 * step back once the merge is complete.
 */
class GridSplitMergeTest {
    private static final Logger LOG = Logger.getLogger(GridSplitMergeTest.class.getName());
    private static final String CLUSTER = "c1";

    private SplitGrid grid;
    private final List<GridPublisher> publishers = new ArrayList<>();

    @AfterEach
    void stop() {
        publishers.forEach(GridPublisher::close);
        if (grid != null) {
            grid.close();
        }
    }

    /** Committed images at offsets 7, 8, 9 (epoch 2) and 10 (epoch 3, a later controller). */
    static List<MetadataImage> images() {
        MetadataImage n = PublishedMetadataTest.image(); // offset 7, epoch 2; broker 2 fenced
        MetadataImage n1 = MetadataDelta.apply(n, List.of(new MetadataRecord.UnfenceBrokerRecord(2, 5)), 8, 2);
        MetadataImage n2 = MetadataDelta.apply(n1, List.of(new MetadataRecord.FenceBrokerRecord(2, 5)), 9, 2);
        MetadataImage n3 = MetadataDelta.apply(n2, List.of(new MetadataRecord.UnfenceBrokerRecord(2, 5)), 10, 3);
        return List.of(n, n1, n2, n3);
    }

    private GridPublisher publisher(int member, IntSupplier leaderId) {
        // the periodic check is pushed out of the test's reach: the merge itself must bring the view back
        GridPublisher p = new GridPublisher(grid.member(member), CLUSTER, member, leaderId, Executors.defaultThreadFactory(),
                Duration.ofMinutes(10));
        publishers.add(p);
        return p;
    }

    private long offsetAt(int member) {
        Optional<PublishedMetadata> seen = PublishedMetadata.read(grid.member(member), CLUSTER);
        return seen.map(PublishedMetadata::offset).orElse(-1L);
    }

    private static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                fail("waited " + timeoutMs + " ms for: " + what);
            }
            Thread.sleep(20);
        }
    }

    private int membersSeenBy(int member) {
        return grid.member(member).getCluster().getMembers().size();
    }

    private CountDownLatch mergedOn(int member) {
        CountDownLatch merged = new CountDownLatch(1);
        grid.member(member).getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
                merged.countDown();
            }
        });
        return merged;
    }

    /** Splits {0,1} from {2} and waits until each side's membership has dropped the other side. */
    private void splitOffMember2() throws InterruptedException {
        long t0 = System.nanoTime();
        grid.split(Set.of(0, 1));
        await("members 0 and 1 to see only each other and member 2 only itself", 30_000,
                () -> membersSeenBy(0) == 2 && membersSeenBy(1) == 2 && membersSeenBy(2) == 1);
        assertEquals(grid.member(0).getCluster().getMembers(), grid.member(1).getCluster().getMembers(), "0 and 1 form one side");
        assertEquals(Set.of(grid.member(2).getCluster().getLocalMember()), grid.member(2).getCluster().getMembers(), "2 is alone");
        LOG.info("grid split after " + ms(t0) + " ms");
    }

    /** Heals the split and waits for Hazelcast's merge: everyone sees 3 members, member 2 saw MERGED. */
    private long healAndAwaitMerge(CountDownLatch merged) throws InterruptedException {
        long t0 = System.nanoTime();
        grid.heal();
        assertTrue(merged.await(40, TimeUnit.SECONDS), "member 2 merged into the larger side");
        await("every member to see all 3", 20_000, () -> membersSeenBy(0) == 3 && membersSeenBy(1) == 3 && membersSeenBy(2) == 3);
        LOG.info("grid merged " + ms(t0) + " ms after the heal");
        return t0;
    }

    /**
     * Reads every member until all see {@code offset}, failing if any member ever reads less than it
     * read before (from the first read after the merge on); then checks the view stays there while
     * the members keep reacting to the merge.
     */
    private void awaitConvergedAndMonotonic(long offset, long healNanos) throws InterruptedException {
        Map<Integer, Long> highest = new HashMap<>();
        Map<Integer, Long> first = new HashMap<>();
        long deadline = System.currentTimeMillis() + 5_000;
        while (true) {
            boolean all = true;
            for (int m = 0; m < grid.size(); m++) {
                long seen = offsetAt(m);
                first.putIfAbsent(m, seen);
                long before = highest.getOrDefault(m, -1L);
                assertTrue(seen >= before, "member " + m + " read offset " + seen + " after " + before);
                highest.put(m, seen);
                all &= seen == offset;
            }
            if (all) {
                break;
            }
            if (System.currentTimeMillis() > deadline) {
                fail("the published view did not converge to offset " + offset + " within 5 s of the merge; first read after the merge "
                        + first + ", now " + highest);
            }
            Thread.sleep(10);
        }
        LOG.info("published view converged on offset " + offset + " " + ms(healNanos) + " ms after the heal; first reads after the merge "
                + first);
        long stableUntil = System.currentTimeMillis() + 2_000; // the members' merge reactions (republishing) all happen in this window
        while (System.currentTimeMillis() < stableUntil) {
            for (int m = 0; m < grid.size(); m++) {
                assertEquals(offset, offsetAt(m), "member " + m + " stays on the newest image");
            }
            Thread.sleep(50);
        }
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void theControllerOnTheSmallerSideStillEndsAsTheViewOfEveryMemberAfterTheMerge() throws Exception {
        grid = new SplitGrid(3);
        CountDownLatch merged = mergedOn(2);
        List<MetadataImage> img = images();
        AtomicInteger leader = new AtomicInteger(2); // the Raft quorum is not split: one leader, known to all
        for (int m = 0; m < 3; m++) {
            publisher(m, leader::get);
        }
        publishers.forEach(p -> p.accept(img.get(0)));
        await("offset 7 readable on every member", 10_000, () -> offsetAt(0) == 7 && offsetAt(1) == 7 && offsetAt(2) == 7);

        splitOffMember2();
        for (int i = 1; i <= 2; i++) { // the quorum goes on committing; only its leader (member 2) publishes
            MetadataImage next = img.get(i);
            publishers.forEach(p -> p.accept(next));
        }
        await("member 2 to read offset 9 on its side", 10_000, () -> offsetAt(2) == 9);
        assertEquals(7, offsetAt(0), "the larger side keeps what it had");
        assertEquals(7, offsetAt(1));

        long heal = healAndAwaitMerge(merged);
        awaitConvergedAndMonotonic(9, heal);
        PublishedMetadata seen = PublishedMetadata.read(grid.member(0), CLUSTER).orElseThrow();
        assertEquals(2, seen.controllerId());
        assertEquals(false, seen.brokers().get(1).live(), "the content is the image at offset 9 (broker 2 fenced again)");
        assertEquals(0, grid.unknownCallers(), "every connection went through a proxy that knew its caller");
    }

    @Test
    void aControllerThatLostItsLeadershipDuringTheSplitDoesNotTakeTheViewBackAfterTheMerge() throws Exception {
        grid = new SplitGrid(3);
        CountDownLatch merged = mergedOn(2);
        List<MetadataImage> img = images();
        int[] leaderSeenBy = {2, 2, 2};
        for (int m = 0; m < 3; m++) {
            int member = m;
            publisher(m, () -> leaderSeenBy[member]);
        }
        publishers.forEach(p -> p.accept(img.get(0)));
        await("offset 7 readable on every member", 10_000, () -> offsetAt(0) == 7 && offsetAt(1) == 7 && offsetAt(2) == 7);

        splitOffMember2();
        publishers.forEach(p -> p.accept(img.get(1)));
        await("member 2 to read offset 8 on its side", 10_000, () -> offsetAt(2) == 8);
        // member 0 wins an election (epoch 3) and commits offsets 9 and 10; member 2 has not heard of it
        // yet and still believes it leads with its image at offset 8
        leaderSeenBy[0] = 0;
        leaderSeenBy[1] = 0;
        for (int i = 2; i <= 3; i++) {
            MetadataImage next = img.get(i);
            publishers.get(0).accept(next);
            publishers.get(1).accept(next);
        }
        await("the larger side to read offset 10", 10_000, () -> offsetAt(0) == 10 && offsetAt(1) == 10);
        assertEquals(8, offsetAt(2));

        long heal = healAndAwaitMerge(merged);
        awaitConvergedAndMonotonic(10, heal);
        PublishedMetadata seen = PublishedMetadata.read(grid.member(2), CLUSTER).orElseThrow();
        assertEquals(0, seen.controllerId());
        assertEquals(3, seen.epoch());
    }
}
