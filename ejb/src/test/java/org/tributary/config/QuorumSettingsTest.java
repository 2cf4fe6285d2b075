package org.tributary.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class QuorumSettingsTest {
    private static final Listener KAFKA = new Listener("PLAINTEXT", "127.0.0.1", 9092);

    private static QuorumSettings read(Map<String, String> values, Integer nodeId) {
        return QuorumSettings.from(BrokerConfig.of(values), Optional.ofNullable(nodeId), KAFKA);
    }

    @Test
    void defaultsAreOneVoterFormedThroughTheGridOnTheKafkaPortPlus100() {
        QuorumSettings s = read(Map.of(), 0);
        assertFalse(s.explicit());
        assertEquals(1, s.voterCount());
        assertEquals(new QuorumSettings.HostPort("127.0.0.1", 9192), s.self());
    }

    @Test
    void aWildcardKafkaListenerPutsTheQuorumOnLoopback() {
        QuorumSettings s = QuorumSettings.from(BrokerConfig.of(Map.of()), Optional.of(1), new Listener("PLAINTEXT", "", 9092));
        assertEquals("127.0.0.1", s.host());
    }

    @Test
    void explicitVotersAreParsedInOrder() {
        QuorumSettings s = read(Map.of("controller.quorum.voters", "1@127.0.0.1:9191, 0@127.0.0.1:9192,2@localhost:9193"), 0);
        assertTrue(s.explicit());
        assertEquals(3, s.voterCount());
        assertEquals(java.util.List.of(1, 0, 2), java.util.List.copyOf(s.explicitVoters().keySet()));
        assertEquals(new QuorumSettings.HostPort("localhost", 9193), s.explicitVoters().get(2));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "controller.quorum.voters|1@127.0.0.1|is not of the form id@host:port",
        "controller.quorum.voters|x@127.0.0.1:1|id and port are numbers",
        "controller.quorum.voters|1@a:1,1@b:2|node 1 is named twice",
        "controller.quorum.voters|1@a:1,2@a:1|is given to two voters",
        "controller.quorum.voters|0@127.0.0.1:7000|this node's quorum port is 9192",
        "tributary.quorum.voter.count|0|must be between 1 and 7",
        "tributary.quorum.voter.count|9|must be between 1 and 7",
        "tributary.quorum.port|9092|give the quorum its own port",
    })
    void badValuesNameTheKeyAndSayWhatIsWrong(String key, String value, String problem) {
        ConfigException e = assertThrows(ConfigException.class, () -> read(Map.of(key, value), 0));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void explicitVotersNeedNodeIds() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> read(Map.of("controller.quorum.voters", "1@127.0.0.1:9191"), null));
        assertTrue(e.getMessage().contains("node.id must be set"), e.getMessage());
    }

    @Test
    void aVoterCountThatDisagreesWithTheListIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> read(Map.of("controller.quorum.voters",
                "1@127.0.0.1:9191", "tributary.quorum.voter.count", "3"), 1));
        assertEquals("tributary.quorum.voter.count", e.key());
    }
}
