package org.tributary.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.Uuid;

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
        Path tmp = dataDir.resolve(FILE_NAME + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "Tributary broker identity: do not edit");
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dataDir.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(dataDir, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException ignored) {
            // some file systems cannot fsync a directory; the rename is still atomic
        }
    }
}
