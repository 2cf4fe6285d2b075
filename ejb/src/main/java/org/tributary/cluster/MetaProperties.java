package org.tributary.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.Uuid;
import org.tributary.util.AtomicFile;

/**
 * {@code <data dir>/meta.properties}: the identity of the broker that owns a data directory
 * ({@code node.id}) and of the cluster it belongs to ({@code cluster.id}), in Kafka's format.
 * Written once, atomically (temp file, fsync, rename, fsync of the directory).
 */
public record MetaProperties(int nodeId, String clusterId, String directoryId) {
    public static final String FILE_NAME = "meta.properties";

    public static Optional<MetaProperties> read(Path dataDir) throws IOException {
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        String id = p.getProperty("node.id", p.getProperty("broker.id"));
        String cluster = p.getProperty("cluster.id");
        if (id == null || cluster == null) {
            throw new IOException(file + " is incomplete (node.id and cluster.id are required); restore it or move the data directory away");
        }
        try {
            return Optional.of(new MetaProperties(Integer.parseInt(id.trim()), cluster.trim(),
                    p.getProperty("directory.id", Uuid.randomUuid().toString())));
        } catch (NumberFormatException e) {
            throw new IOException(file + " has a node.id that is not a number: '" + id + "'");
        }
    }

    public void write(Path dataDir) throws IOException {
        Properties p = new Properties();
        p.setProperty("version", "1");
        p.setProperty("node.id", Integer.toString(nodeId));
        p.setProperty("cluster.id", clusterId);
        p.setProperty("directory.id", directoryId);
        java.io.StringWriter text = new java.io.StringWriter();
        p.store(text, "Tributary broker identity: do not edit");
        AtomicFile.write(dataDir.resolve(FILE_NAME), text.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
