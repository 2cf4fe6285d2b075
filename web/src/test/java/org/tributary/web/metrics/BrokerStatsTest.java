package org.tributary.web.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tributary.ee.BrokerService;
import org.tributary.ee.PartitionInfo;
import org.tributary.ee.TopicInfo;
import org.tributary.metrics.MetricsSnapshot;

/**
 * A sample hands on the previous sample's partition stats that did not change (the whole list when
 * none did), and the same values as it would have built.
 */
class BrokerStatsTest {
    private List<TopicInfo> topics = List.of();

    private BrokerStats stats() {
        BrokerStats s = new BrokerStats();
        s.setBroker((BrokerService) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BrokerService.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "topics" -> topics;
                    case "metrics" -> MetricsSnapshot.empty();
                    case "groups", "brokers" -> List.of();
                    case "controllerId", "brokerId" -> 1;
                    default -> throw new UnsupportedOperationException(method.getName());
                }));
        return s;
    }

    private static PartitionInfo partition(int partition, int leader, long logEndOffset, long size, List<Integer> isr) {
        return new PartitionInfo(partition, leader, 0, List.of(1, 2, 3), isr, 0, logEndOffset, logEndOffset, size, List.of(), List.of());
    }

    private static TopicInfo topic(String name, PartitionInfo... ps) {
        int offline = (int) List.of(ps).stream().filter(PartitionInfo::offline).count();
        return new TopicInfo(name, "id", ps.length, 3, 0, offline, 0, 0, Map.of(), new ArrayList<>(List.of(ps)));
    }

    @Test
    void unchangedPartitionsAreTheSameStatsAndChangedOnesNew() {
        BrokerStats s = stats();
        topics = List.of(topic("a", partition(0, 1, 10, 100, List.of(1, 2, 3)), partition(1, -1, -1, -1, List.of())),
                topic("b", partition(0, 2, 5, 50, List.of(2))));
        StatsSnapshot first = s.sample(StatsSnapshot.empty());
        assertEquals(List.of(new StatsSnapshot.PartitionStat(0, 10, 100, 3), new StatsSnapshot.PartitionStat(1, 0, 0, 0)),
                first.topics().get("a").partitions(), "offsets and sizes unknown here (-1) are 0");
        assertEquals(3, first.partitionCount());
        assertEquals(1, first.offline());

        topics = List.of(topic("a", partition(0, 1, 10, 100, List.of(1, 2, 3)), partition(1, -1, -1, -1, List.of())),
                topic("b", partition(0, 2, 5, 50, List.of(2))));
        StatsSnapshot second = s.sample(first);
        assertSame(first.topics().get("a").partitions(), second.topics().get("a").partitions(), "nothing changed: the same list");
        assertSame(first.topics().get("b").partitions(), second.topics().get("b").partitions());
        assertEquals(1, second.offline());

        topics = List.of(topic("a", partition(0, 1, 12, 120, List.of(1, 2, 3)), partition(1, -1, -1, -1, List.of())),
                topic("b", partition(0, 2, 5, 50, List.of(2, 3)), partition(1, 2, 0, 0, List.of(2))));
        StatsSnapshot third = s.sample(second);
        List<StatsSnapshot.PartitionStat> a = third.topics().get("a").partitions();
        assertNotSame(second.topics().get("a").partitions(), a);
        assertEquals(new StatsSnapshot.PartitionStat(0, 12, 120, 3), a.get(0), "the partition that grew");
        assertSame(second.topics().get("a").partitions().get(1), a.get(1), "the unchanged partition's stats handed on");
        assertEquals(List.of(new StatsSnapshot.PartitionStat(0, 5, 50, 2), new StatsSnapshot.PartitionStat(1, 0, 0, 1)),
                third.topics().get("b").partitions(), "an ISR grown, a partition added");
        assertEquals(4, third.partitionCount());
        assertEquals(1, third.offline());
    }

    @Test
    void partitionsListedInAnotherOrderAreBuiltInThatOrder() {
        List<StatsSnapshot.PartitionStat> before = List.of(new StatsSnapshot.PartitionStat(0, 1, 1, 1),
                new StatsSnapshot.PartitionStat(1, 2, 2, 1));
        List<StatsSnapshot.PartitionStat> now = BrokerStats.partitions(
                List.of(partition(1, 1, 2, 2, List.of(1)), partition(0, 1, 1, 1, List.of(1))), before);
        assertEquals(List.of(before.get(1), before.get(0)), now);
    }

    @Test
    void theSamplerKeepsToOneFiftiethOfACoreWhateverASampleCosts() {
        assertEquals(BrokerStats.PERIOD_MS, BrokerStats.pauseAfter(0), "a cheap sample: the console's 2 s period");
        assertEquals(BrokerStats.PERIOD_MS, BrokerStats.pauseAfter(BrokerStats.PERIOD_MS / BrokerStats.COST_SHARE));
        assertEquals(5_000, BrokerStats.pauseAfter(100), "a 100 ms sample is followed by 5 s without one");
        for (long took : new long[] {1, 39, 41, 100, 700, 3_000}) {
            long pause = BrokerStats.pauseAfter(took);
            assertEquals(true, took * 50 <= pause && pause >= BrokerStats.PERIOD_MS, took + " ms then " + pause + " ms");
        }
    }
}
