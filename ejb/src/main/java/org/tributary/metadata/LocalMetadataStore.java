package org.tributary.metadata;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.Uuid;

/**
 * Topic metadata of a single broker in one properties file, {@code <dir>/topics.properties},
 * replaced atomically on every change (write a temp file, fsync it, rename it over the old one,
 * fsync the directory). A leftover temp file from a crash is ignored.
 *
 * <p>File layout: {@code version}, {@code topic.count}, then for topic {@code i}:
 * {@code topic.i.name}, {@code topic.i.id}, {@code topic.i.assignment} ({@code 1,2;2,3;...}, one
 * group of broker ids per partition) and {@code topic.i.config.<name>}.
 */
public final class LocalMetadataStore implements MetadataStore {
    static final String FILE = "topics.properties";

    private final Path dir;
    private final List<Consumer<MetadataImage>> listeners = new CopyOnWriteArrayList<>();
    private volatile MetadataImage image;

    private LocalMetadataStore(Path dir, MetadataImage image) {
        this.dir = dir;
        this.image = image;
    }

    /** Opens (creating if needed) the store in {@code dir}. */
    public static LocalMetadataStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.deleteIfExists(dir.resolve(FILE + ".tmp"));
        Path file = dir.resolve(FILE);
        MetadataImage img = Files.exists(file) ? read(file) : MetadataImage.EMPTY;
        return new LocalMetadataStore(dir, img);
    }

    @Override
    public MetadataImage image() {
        return image;
    }

    /**
     * Applies {@code change} atomically and durably. Exceptions thrown by {@code change} propagate
     * and leave the metadata unchanged.
     */
    public synchronized MetadataImage update(UnaryOperator<MetadataImage> change) throws IOException {
        MetadataImage next = change.apply(image);
        if (next == image) {
            return image;
        }
        write(next);
        image = next;
        for (Consumer<MetadataImage> l : listeners) {
            l.accept(next);
        }
        return next;
    }

    @Override
    public void addListener(Consumer<MetadataImage> listener) {
        listeners.add(listener);
    }

    @Override
    public void close() {
        listeners.clear();
    }

    private void write(MetadataImage img) throws IOException {
        Properties p = new Properties();
        p.setProperty("version", Long.toString(img.version()));
        int i = 0;
        for (TopicImage t : img.topics()) {
            String prefix = "topic." + i + ".";
            p.setProperty(prefix + "name", t.name());
            p.setProperty(prefix + "id", t.id().toString());
            List<String> groups = new ArrayList<>();
            for (List<Integer> replicas : t.assignment()) {
                groups.add(String.join(",", replicas.stream().map(String::valueOf).toList()));
            }
            p.setProperty(prefix + "assignment", String.join(";", groups));
            t.configs().forEach((k, v) -> p.setProperty(prefix + "config." + k, v));
            i++;
        }
        p.setProperty("topic.count", Integer.toString(i));
        Path tmp = dir.resolve(FILE + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            p.store(out, "Tributary topic metadata; written atomically, do not edit while the broker runs");
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems cannot fsync a directory; the rename itself is atomic
        }
    }

    private static MetadataImage read(Path file) throws IOException {
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        }
        try {
            long version = Long.parseLong(p.getProperty("version", "0"));
            int count = Integer.parseInt(p.getProperty("topic.count", "0"));
            Map<String, TopicImage> topics = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                String prefix = "topic." + i + ".";
                String name = required(p, prefix + "name");
                Uuid id = Uuid.fromString(required(p, prefix + "id"));
                List<List<Integer>> assignment = new ArrayList<>();
                String a = p.getProperty(prefix + "assignment", "");
                if (!a.isEmpty()) {
                    for (String group : a.split(";", -1)) {
                        List<Integer> replicas = new ArrayList<>();
                        for (String r : group.split(",")) {
                            if (!r.isEmpty()) {
                                replicas.add(Integer.parseInt(r));
                            }
                        }
                        assignment.add(replicas);
                    }
                }
                Map<String, String> configs = new TreeMap<>();
                String cp = prefix + "config.";
                for (String key : p.stringPropertyNames()) {
                    if (key.startsWith(cp)) {
                        configs.put(key.substring(cp.length()), p.getProperty(key));
                    }
                }
                topics.put(name, new TopicImage(name, id, assignment, configs));
            }
            return new MetadataImage(version, topics);
        } catch (RuntimeException e) {
            throw new IOException("Topic metadata file " + file + " is damaged: " + e.getMessage(), e);
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("missing " + key);
        }
        return v;
    }
}
