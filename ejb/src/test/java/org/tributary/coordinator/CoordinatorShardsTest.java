package org.tributary.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CoordinatorShardsTest {
    final Map<Integer, Integer> epochs = new HashMap<>();
    final List<Runnable> loader = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    CoordinatorShards shards;

    @BeforeEach
    void setUp() {
        shards = new CoordinatorShards("__test", p -> epochs.getOrDefault(p, -1), loader::add);
        shards.owner(new CoordinatorShards.Owner() {
            @Override
            public void load(int partition, CoordinatorShards.Shard shard) {
                events.add("load " + partition + "@" + shard.epoch());
                if (shards.isCurrent(partition, shard)) {
                    shards.markLoaded(shard);
                }
            }

            @Override
            public void unload(int partition) {
                events.add("unload " + partition);
            }
        });
    }

    void runLoader() {
        List<Runnable> tasks = List.copyOf(loader);
        loader.clear();
        tasks.forEach(Runnable::run);
    }

    @Test
    void loadingThenLoadedThenResigned() {
        assertEquals(Errors.NOT_COORDINATOR, shards.state(3));
        epochs.put(3, 5);
        shards.becameLeader(3, 5);
        assertEquals(Errors.COORDINATOR_LOAD_IN_PROGRESS, shards.state(3));
        assertTrue(shards.loading());
        assertNull(shards.loadedShard(3));
        runLoader();
        assertEquals(Errors.NONE, shards.state(3));
        assertFalse(shards.loading());
        assertEquals(5, shards.loadedShard(3).epoch());
        epochs.put(3, -1);
        assertEquals(Errors.NOT_COORDINATOR, shards.state(3), "the leadership moved before the event arrived");
        shards.resigned(3, 6);
        runLoader();
        assertEquals(List.of("load 3@5", "unload 3"), events);
    }

    @Test
    void staleEventsAreIgnored() {
        epochs.put(1, 4);
        shards.becameLeader(1, 4);
        shards.becameLeader(1, 3); // older: ignored
        shards.resigned(1, 2); // a resignation from before this leadership: ignored
        runLoader();
        assertEquals(List.of("load 1@4"), events);
        assertEquals(Errors.NONE, shards.state(1));
    }

    @Test
    void aLoadSupersededBeforeItRunsInstallsNothing() {
        epochs.put(2, 1);
        shards.becameLeader(2, 1);
        shards.resigned(2, 1);
        epochs.put(2, 3);
        shards.becameLeader(2, 3);
        runLoader();
        assertEquals(List.of("load 2@1", "unload 2", "load 2@3"), events);
        assertEquals(Errors.NONE, shards.state(2));
        assertEquals(3, shards.loadedShard(2).epoch());
    }
}
