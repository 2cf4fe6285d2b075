package org.tributary.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tributary.cluster.BrokerInfo;
import org.tributary.config.BrokerConfig;
import org.tributary.config.NodeSettings;

/** The admin clients of a node connect to its own bound listener, not to the address it advertises. */
class LocalBootstrapTest {

    /** {@code self} is what the node registered: the advertised host and port (the bound port when none is set). */
    @ParameterizedTest(name = "{0} advertised as {1}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "PLAINTEXT://:9092              | -                                     | broker.example.com | 9092  | 127.0.0.1:9092",
        "PLAINTEXT://0.0.0.0:9092       | PLAINTEXT://kafka.example.com:19092  | kafka.example.com  | 19092 | 127.0.0.1:9092",
        "PLAINTEXT://[::]:9092          | PLAINTEXT://kafka.example.com:9092   | kafka.example.com  | 9092  | [::1]:9092",
        "PLAINTEXT://10.1.2.3:9093      | PLAINTEXT://public.example.com:443   | public.example.com | 443   | 10.1.2.3:9093",
        "PLAINTEXT://127.0.0.1:9094     | -                                     | 127.0.0.1          | 9094  | 127.0.0.1:9094",
        "PLAINTEXT://127.0.0.1:0        | -                                     | 127.0.0.1          | 40123 | 127.0.0.1:40123",
        "PLAINTEXT://0.0.0.0:0          | PLAINTEXT://kafka.example.com:0      | kafka.example.com  | 40124 | 127.0.0.1:40124",
        "PLAINTEXT://0.0.0.0:0          | PLAINTEXT://kafka.example.com:19092  | kafka.example.com  | 19092 | kafka.example.com:19092",
    })
    void connectsToTheBoundListenerOnLoopbackWhenBoundToEveryInterface(String listeners, String advertised, String selfHost,
            int selfPort, String expected) {
        Map<String, String> values = new HashMap<>();
        values.put("listeners", listeners);
        if (advertised != null) {
            values.put("advertised.listeners", advertised);
        }
        NodeSettings settings = NodeSettings.from(BrokerConfig.of(values));
        assertEquals(expected, BrokerAdmin.localBootstrap(settings, new BrokerInfo(1, selfHost, selfPort, 8080, null)));
    }
}
