package org.tributary.ee;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PropertiesFileConfigSourceTest {

    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty("tributary.config.file");
    }

    @Test
    void theNamedFileIsReadBelowSystemPropertiesAndEnvironment() throws Exception {
        Path f = dir.resolve("broker.properties");
        Files.writeString(f, "num.partitions=6\n# a comment\nlog.retention.hours = 24\n");
        System.setProperty("tributary.config.file", f.toString());
        PropertiesFileConfigSource s = new PropertiesFileConfigSource();
        assertEquals("6", s.getValue("num.partitions"));
        assertEquals("24", s.getValue("log.retention.hours"));
        assertEquals(Set.of("num.partitions", "log.retention.hours"), s.getPropertyNames());
        assertTrue(s.getOrdinal() < 300, "environment variables (300) and system properties (400) win");
        assertTrue(s.getName().contains(f.toAbsolutePath().toString()), s.getName());
    }

    @Test
    void aMissingFileGivesDefaultsNotAFailure() {
        System.setProperty("tributary.config.file", dir.resolve("absent.properties").toString());
        PropertiesFileConfigSource s = new PropertiesFileConfigSource();
        assertTrue(s.getPropertyNames().isEmpty());
        assertNull(s.getValue("num.partitions"));
    }
}
