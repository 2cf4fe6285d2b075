package org.tributary.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class GridIndependentConfigDefaultsTest {

    @Test
    void answersTheTelemetryKeysAsUnsetBetweenPayarasClusterSourceAndEveryUserSource() {
        GridIndependentConfigDefaults s = new GridIndependentConfigDefaults();
        assertTrue(s.getOrdinal() > 160, "above Payara's cluster config source (160), so the search ends here");
        assertTrue(s.getOrdinal() < 170, "below Payara's expression source (170), environment (300) and system properties (400)");
        assertEquals(s.getPropertyNames(), GridIndependentConfigDefaults.VALUES.keySet());
        for (String key : s.getPropertyNames()) {
            assertEquals("", s.getValue(key), key + ": the empty value means 'not set' in MicroProfile Config");
        }
        assertNull(s.getValue("num.partitions"), "broker settings are not answered here");
    }

    @Test
    void isRegisteredAsAConfigSource() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/META-INF/services/org.eclipse.microprofile.config.spi.ConfigSource")) {
            String services = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(services.lines().anyMatch(GridIndependentConfigDefaults.class.getName()::equals), services);
        }
    }
}
