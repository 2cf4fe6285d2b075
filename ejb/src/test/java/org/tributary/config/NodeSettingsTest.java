package org.tributary.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeSettingsTest {

    @TempDir
    Path tmp;

    private static NodeSettings settings(Map<String, String> values) {
        return NodeSettings.from(BrokerConfig.of(values));
    }

    @Test
    void defaultsAreKafkasPlaintextListenerAndNoFixedId() {
        NodeSettings s = settings(Map.of());
        assertEquals(new Listener("PLAINTEXT", "", 9092), s.interBroker());
        assertEquals(OptionalInt.empty(), s.nodeId());
        assertEquals(8080, s.httpPort());
    }

    @Test
    void readsKafkaNames() {
        NodeSettings s = settings(Map.of("node.id", "3", "log.dirs", tmp.toString(), "listeners", "PLAINTEXT://127.0.0.1:19092",
                "advertised.listeners", "PLAINTEXT://broker3.example:9092", "broker.rack", "r1"));
        assertEquals(OptionalInt.of(3), s.nodeId());
        assertEquals(tmp.toAbsolutePath(), s.dataDir());
        assertEquals(new Listener("PLAINTEXT", "broker3.example", 9092), s.advertised("PLAINTEXT", 19092));
        assertEquals("r1", s.rack());
    }

    @Test
    void anEphemeralPortIsAdvertisedAsTheBoundPort() {
        NodeSettings s = settings(Map.of("listeners", "PLAINTEXT://127.0.0.1:0"));
        assertEquals(new Listener("PLAINTEXT", "127.0.0.1", 41234), s.advertised("PLAINTEXT", 41234));
    }

    @Test
    void brokerIdIsAnAliasOfNodeIdAndMustAgree() {
        assertEquals(OptionalInt.of(5), settings(Map.of("broker.id", "5")).nodeId());
        ConfigException e = assertThrows(ConfigException.class, () -> settings(Map.of("node.id", "1", "broker.id", "2")));
        assertEquals("broker.id", e.key());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "listeners|PLAINTEXT://127.0.0.1:ninety|port 'ninety' is not a number",
        "listeners|PLAINTEXT://127.0.0.1:70000|outside 0-65535",
        "listeners|127.0.0.1:9092|PLAINTEXT://host:port",
        "listeners|PLAINTEXT://:1,PLAINTEXT://:2|appears twice",
        "node.id|-4|0 or greater",
        "node.id|abc|must be a whole number",
        "tributary.http.port|99999|between 0 and 65535",
        "log.dirs|/a,/b|only one data directory",
    })
    void badValuesNameTheKeyAndTheProblem(String key, String value, String problem) {
        ConfigException e = assertThrows(ConfigException.class, () -> settings(Map.of(key, value)));
        assertEquals(key, e.key());
        assertTrue(e.getMessage().contains("'" + key + "'") && e.getMessage().contains(problem), e.getMessage());
    }

    @Test
    void anUnwritableDataDirectoryIsAConfigurationError() throws Exception {
        Path file = Files.createFile(tmp.resolve("a-file"));
        NodeSettings s = settings(Map.of("log.dirs", file.resolve("data").toString()));
        ConfigException e = assertThrows(ConfigException.class, s::ensureDataDirWritable);
        assertEquals("log.dirs", e.key());
        assertTrue(e.getMessage().contains("cannot be created or written"), e.getMessage());
    }

    @Test
    void typedGettersValidate() {
        BrokerConfig c = BrokerConfig.of(Map.of("a", "x", "b", " 12 ", "c", "TRUE"));
        assertThrows(ConfigException.class, () -> c.getLong("a", 0));
        assertThrows(ConfigException.class, () -> c.getBoolean("a", false));
        assertEquals(12, c.getInt("b", 0));
        assertTrue(c.getBoolean("c", false));
        assertEquals(7, c.getInt("missing", 7));
        assertEquals("v", BrokerConfig.of(Map.of(), k -> java.util.Optional.of("v")).getString("any", "d"));
    }
}
