package org.tributary.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.CoordinatorLoadInProgressException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocks are asked for in the background: a request never waits for the controller, an id is
 * handed out while the next block is on its way, and without a block the answer is Kafka's
 * retriable COORDINATOR_LOAD_IN_PROGRESS at once.
 */
class ProducerIdManagerTest {
    @TempDir
    Path dir;

    /** Runs the block requests only when the test says so. */
    private static final class Later implements Executor {
        final Queue<Runnable> queued = new ArrayDeque<>();

        @Override
        public void execute(Runnable r) {
            queued.add(r);
        }

        int runAll() {
            int n = 0;
            for (Runnable r = queued.poll(); r != null; r = queued.poll()) {
                r.run();
                n++;
            }
            return n;
        }
    }

    private long[] counter = {0};
    private int asked;

    private long allocate(int n) {
        asked++;
        long s = counter[0];
        counter[0] += n;
        return s;
    }

    @Test
    void withoutABlockTheAnswerIsRetriableAtOnceAndOneBlockIsAskedFor() throws Exception {
        Later later = new Later();
        ProducerIdManager m = new ProducerIdManager(this::allocate, later, dir.resolve("pid"));
        CoordinatorLoadInProgressException e = assertThrows(CoordinatorLoadInProgressException.class, m::nextProducerId);
        assertTrue(e.getMessage().contains("retry"), e.getMessage());
        assertThrows(CoordinatorLoadInProgressException.class, m::nextProducerId);
        assertEquals(1, later.runAll(), "one request for a block in flight, however many ask");
        assertEquals(0, m.nextProducerId());
        assertEquals(1, m.nextProducerId());
    }

    @Test
    void theNextBlockIsAskedForAt90PercentSoIdsNeverRunOutWhileItArrives() throws Exception {
        Later later = new Later();
        ProducerIdManager m = new ProducerIdManager(this::allocate, later, dir.resolve("pid"));
        m.start();
        later.runAll();
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < ProducerIdManager.PREFETCH_AT; i++) {
            assertTrue(ids.add(m.nextProducerId()));
        }
        assertEquals(1, later.queued.size(), "the next block is asked for once 90 % are handed out");
        later.runAll();
        for (int i = 0; i < 2 * ProducerIdManager.BLOCK_SIZE - ProducerIdManager.PREFETCH_AT; i++) {
            assertTrue(ids.add(m.nextProducerId()), "no id twice");
            later.runAll();
        }
        assertEquals(3, asked, "three blocks for 2,000 ids: the first, the second at 900, the third at 1,900");
    }

    @Test
    void aFailedRequestIsNamedInTheNextAnswerAndAskedAgain() throws Exception {
        Later later = new Later();
        boolean[] fail = {true};
        ProducerIdManager m = new ProducerIdManager(n -> {
            if (fail[0]) {
                throw new IllegalStateException("no controller answered within 15 s");
            }
            return allocate(n);
        }, later, dir.resolve("pid"));
        m.start();
        later.runAll();
        CoordinatorLoadInProgressException e = assertThrows(CoordinatorLoadInProgressException.class, m::nextProducerId);
        assertTrue(e.getMessage().contains("no controller answered"), e.getMessage());
        fail[0] = false;
        assertEquals(1, later.runAll(), "asked again");
        assertEquals(0, m.nextProducerId());
    }

    @Test
    void itAsksForBlocksOnAThreadOfTheGivenFactoryThatCloseStops() throws Exception {
        Thread[] asking = new Thread[1];
        ProducerIdManager m = new ProducerIdManager(n -> {
            asking[0] = Thread.currentThread();
            return allocate(n);
        }, r -> {
            Thread t = new Thread(r, "tributary-producer-ids");
            t.setDaemon(true);
            return t;
        }, dir.resolve("pid"));
        m.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long id = -1;
        while (id < 0) {
            try {
                id = m.nextProducerId();
            } catch (CoordinatorLoadInProgressException e) {
                assertTrue(System.nanoTime() < deadline, "no block within 10 s");
                Thread.sleep(10);
            }
        }
        assertEquals(0, id);
        assertEquals("tributary-producer-ids", asking[0].getName());

        m.close();
        asking[0].join(10_000);
        assertFalse(asking[0].isAlive(), "close stops the thread");
        assertEquals(1, m.nextProducerId(), "ids already held are still handed out");
    }
}
