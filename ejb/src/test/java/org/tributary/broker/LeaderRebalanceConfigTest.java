package org.tributary.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;

/** Kafka's leader balancing settings: defaults, the switch, and the interval's lower bound of one second. */
class LeaderRebalanceConfigTest {
    private static long intervalMs(Map<String, String> values) {
        return MetadataNode.leaderRebalanceIntervalMs(BrokerConfig.of(values));
    }

    @Test
    void enabledByDefaultEveryFiveMinutes() {
        assertEquals(300_000L, intervalMs(Map.of()));
        assertEquals(1_000L, intervalMs(Map.of("leader.imbalance.check.interval.seconds", "1")));
    }

    @Test
    void disabledMeansNoChecks() {
        assertEquals(0L, intervalMs(Map.of("auto.leader.rebalance.enable", "false", "leader.imbalance.check.interval.seconds", "1")));
    }

    @Test
    void anIntervalBelowOneSecondIsRefusedNotTakenAsOff() {
        for (String bad : new String[] {"0", "-5", "soon"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> intervalMs(Map.of("leader.imbalance.check.interval.seconds", bad)));
            assertTrue(e.getMessage().contains("leader.imbalance.check.interval.seconds"), e.getMessage());
        }
    }

    @Test
    void theRemovedPercentageIsAcceptedAsKafkaFourAcceptsAnUnknownKey() {
        assertEquals(300_000L, intervalMs(Map.of("leader.imbalance.per.broker.percentage", "10")));
    }
}
