package org.tributary.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tributary.config.BrokerConfig;
import org.tributary.config.NodeSettings;

/** The admin clients of a node connect to its own bound listener, not to the address it advertises. */
class LocalBootstrapTest {

    @ParameterizedTest(name = "{0} bound at {1}")
    @CsvSource(delimiter = '|', value = {
        "PLAINTEXT://:9092              | 9092  | 127.0.0.1:9092",
        "PLAINTEXT://0.0.0.0:9092       | 9092  | 127.0.0.1:9092",
        "PLAINTEXT://[::]:9092          | 9092  | [::1]:9092",
        "PLAINTEXT://10.1.2.3:9093      | 9093  | 10.1.2.3:9093",
        "PLAINTEXT://127.0.0.1:0        | 40123 | 127.0.0.1:40123",
        "PLAINTEXT://0.0.0.0:0          | 40124 | 127.0.0.1:40124",
    })
    void connectsToTheBoundListenerOnLoopbackWhenBoundToEveryInterface(String listeners, int boundPort, String expected) {
        // an advertised address the node may not reach itself is never used
        NodeSettings settings = NodeSettings.from(BrokerConfig.of(Map.of("listeners", listeners,
                "advertised.listeners", "PLAINTEXT://kafka.example.com:19092")));
        assertEquals(expected, BrokerAdmin.localBootstrap(settings.interBroker(), boundPort));
    }
}
