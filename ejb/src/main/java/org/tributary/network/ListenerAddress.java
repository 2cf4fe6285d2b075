package org.tributary.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.tributary.config.ConfigException;

/**
 * One entry of Kafka's {@code listeners} property, {@code NAME://host:port}. An empty host means
 * all interfaces; port 0 means an ephemeral port.
 */
public record ListenerAddress(String name, String host, int port) {

    /** Parses a comma-separated {@code listeners} value; errors name {@code key}. */
    public static List<ListenerAddress> parseAll(String key, String value) {
        List<ListenerAddress> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            int sep = s.indexOf("://");
            if (sep <= 0) {
                throw new ConfigException(key, value, "each listener must look like NAME://host:port");
            }
            String name = s.substring(0, sep).toUpperCase(Locale.ROOT);
            String hostPort = s.substring(sep + 3);
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new ConfigException(key, value, "listener '" + s + "' has no port");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException(key, value, "listener '" + s + "' has a port that is not a number");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException(key, value, "listener '" + s + "' has a port outside 0-65535");
            }
            if (out.stream().anyMatch(l -> l.name().equals(name))) {
                throw new ConfigException(key, value, "listener name " + name + " appears twice");
            }
            out.add(new ListenerAddress(name, host, port));
        }
        if (out.isEmpty()) {
            throw new ConfigException(key, value, "at least one listener is required");
        }
        return out;
    }

    @Override
    public String toString() {
        return name + "://" + host + ":" + port;
    }
}
