package org.tributary.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.OptionalInt;

/**
 * The settings that identify and place one broker node, validated together at start-up.
 * Keys are Kafka's where Kafka has one ({@code node.id}/{@code broker.id}, {@code log.dirs},
 * {@code listeners}, {@code advertised.listeners}, {@code broker.rack}, and the listener model of
 * {@link ListenerSecurity}); Tributary's own are
 * {@code tributary.http.port} (the admin/HTTP port this node serves, for the broker registry).
 */
public record NodeSettings(
        OptionalInt nodeId,
        Path dataDir,
        List<Listener> listeners,
        List<Listener> advertisedListeners,
        String rack,
        int httpPort,
        ListenerSecurity security) {

    public static final String NODE_ID = "node.id";
    public static final String BROKER_ID = "broker.id";
    public static final String LOG_DIRS = "log.dirs";
    public static final String LOG_DIR = "log.dir";
    public static final String LISTENERS = "listeners";
    public static final String ADVERTISED_LISTENERS = "advertised.listeners";
    public static final String RACK = "broker.rack";
    public static final String HTTP_PORT = "tributary.http.port";
    public static final String DEFAULT_LISTENERS = "PLAINTEXT://:9092";
    public static final String DEFAULT_DATA_DIR = "tributary-data";

    /** Reads and validates; the first problem found is thrown as a {@link ConfigException}. */
    public static NodeSettings from(BrokerConfig config) {
        OptionalInt nodeId = OptionalInt.empty();
        for (String key : new String[] {NODE_ID, BROKER_ID}) {
            if (config.get(key).filter(s -> !s.isEmpty()).isPresent()) {
                int id = config.getInt(key, -1);
                if (id < 0 && !(key.equals(BROKER_ID) && id == -1)) {
                    throw new ConfigException(key, id, "must be 0 or greater");
                }
                if (id >= 0) {
                    if (nodeId.isPresent() && nodeId.getAsInt() != id) {
                        throw new ConfigException(key, id, "disagrees with " + NODE_ID + "=" + nodeId.getAsInt());
                    }
                    nodeId = OptionalInt.of(id);
                }
            }
        }
        String dirKey = config.get(LOG_DIRS).filter(s -> !s.isEmpty()).isPresent() ? LOG_DIRS : LOG_DIR;
        String dirs = config.getString(dirKey, DEFAULT_DATA_DIR);
        String first = dirs.split(",")[0].trim();
        if (dirs.contains(",")) {
            throw new ConfigException(dirKey, dirs, "only one data directory per broker is supported; run one broker per disk instead");
        }
        Path dataDir = Paths.get(first).toAbsolutePath().normalize();
        List<Listener> listeners = Listener.parseList(LISTENERS, config.getString(LISTENERS, DEFAULT_LISTENERS));
        List<Listener> advertised = config.get(ADVERTISED_LISTENERS).filter(s -> !s.isEmpty())
                .map(v -> Listener.parseList(ADVERTISED_LISTENERS, v))
                .orElse(listeners);
        ListenerSecurity security = ListenerSecurity.from(config, listeners, advertised);
        String rack = config.get(RACK).filter(s -> !s.isEmpty()).orElse(null);
        int httpPort = config.getInt(HTTP_PORT, 8080, 0, 65535);
        return new NodeSettings(nodeId, dataDir, listeners, advertised, rack, httpPort, security);
    }

    /** The bind listener of the given name. */
    public Listener listener(String name) {
        return listeners.stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no listener " + name));
    }

    /** The bind listener other brokers reach this one on ({@link ListenerSecurity#interBrokerListener()}). */
    public Listener interBroker() {
        return listener(security.interBrokerListener());
    }

    /**
     * Every advertised listener as clients and other brokers are told about it, with the bound
     * port where the configured one was 0 and this machine's name for a wildcard host.
     */
    public List<Listener> advertised(java.util.Map<String, Integer> boundPorts) {
        return advertisedListeners.stream().map(a -> advertised(a.name(), boundPorts.getOrDefault(a.name(), a.port()))).toList();
    }

    /** The advertised listener {@code name}, with the bound port when the configured one was 0. */
    public Listener advertised(String name, int boundPort) {
        Listener a = advertisedListeners.stream().filter(l -> l.name().equals(name)).findFirst().orElse(listener(name));
        String host = a.host();
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::")) {
            host = localHostName();
        }
        int port = a.port() == 0 ? boundPort : a.port();
        return new Listener(a.name(), host, port);
    }

    /** Creates the data directory if needed and proves it is writable. */
    public void ensureDataDirWritable() {
        String key = LOG_DIRS;
        try {
            Files.createDirectories(dataDir);
            Path probe = Files.createTempFile(dataDir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new ConfigException(key, dataDir, "the data directory cannot be created or written ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + "); point it at a writable directory");
        }
    }

    private static String localHostName() {
        try {
            return java.net.InetAddress.getLocalHost().getCanonicalHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
