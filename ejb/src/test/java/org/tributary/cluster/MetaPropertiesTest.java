package org.tributary.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetaPropertiesTest {

    @TempDir
    Path dir;

    @Test
    void anEmptyDirectoryHasNoIdentity() throws IOException {
        assertEquals(Optional.empty(), MetaProperties.read(dir));
    }

    @Test
    void identityRoundTripsInKafkasFormatWithoutLeavingATempFile() throws IOException {
        MetaProperties m = new MetaProperties(42, "MkU3OEVBNTcwNTJENDM2Qg", "dir-id");
        m.write(dir);
        assertEquals(Optional.of(m), MetaProperties.read(dir));
        String text = Files.readString(dir.resolve("meta.properties"));
        assertTrue(text.contains("version=1") && text.contains("node.id=42") && text.contains("cluster.id=MkU3OEVBNTcwNTJENDM2Qg"), text);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "only meta.properties remains");
        }
    }

    @Test
    void aKafkaStyleBrokerIdIsAccepted() throws IOException {
        Files.writeString(dir.resolve("meta.properties"), "version=0\nbroker.id=9\ncluster.id=abc\n");
        assertEquals(9, MetaProperties.read(dir).orElseThrow().nodeId());
    }

    @Test
    void anIncompleteFileIsReportedNotGuessed() throws IOException {
        Files.writeString(dir.resolve("meta.properties"), "node.id=1\n");
        IOException e = assertThrows(IOException.class, () -> MetaProperties.read(dir));
        assertTrue(e.getMessage().contains("incomplete"), e.getMessage());
        Files.writeString(dir.resolve("meta.properties"), "node.id=x\ncluster.id=c\n");
        assertThrows(IOException.class, () -> MetaProperties.read(dir));
    }
}
