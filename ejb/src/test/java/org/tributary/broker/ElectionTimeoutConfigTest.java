package org.tributary.broker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;

/**
 * {@code controller.quorum.election.timeout.ms}: the engine's follower sleeps a random timeout
 * between half the setting and the setting before it checks for a silent leader, so a dead
 * leader is noticed within twice the setting (2 s by default, Kafka's fetch timeout).
 */
class ElectionTimeoutConfigTest {
    private static Duration[] timeouts(Map<String, String> values) {
        return MetadataNode.electionTimeouts(BrokerConfig.of(values));
    }

    @Test
    void halfTheSettingToTheSetting() {
        assertArrayEquals(new Duration[] {Duration.ofMillis(500), Duration.ofMillis(1_000)}, timeouts(Map.of()));
        assertArrayEquals(new Duration[] {Duration.ofMillis(1_000), Duration.ofMillis(2_000)},
                timeouts(Map.of("controller.quorum.election.timeout.ms", "2000")));
    }

    @Test
    void aValueTheEngineCannotRunWithIsRefused() {
        for (String bad : new String[] {"0", "-1", "150", "60001", "soon"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> timeouts(Map.of("controller.quorum.election.timeout.ms", bad)));
            assertTrue(e.getMessage().contains("controller.quorum.election.timeout.ms"), e.getMessage());
        }
    }
}
