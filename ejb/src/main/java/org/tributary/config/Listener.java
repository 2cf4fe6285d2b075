package org.tributary.config;

import java.util.ArrayList;
import java.util.List;

/**
 * One entry of Kafka's {@code listeners} / {@code advertised.listeners}: {@code NAME://host:port}.
 * An empty host means "all interfaces" for a bind address and "this machine's host name" when advertised.
 */
public record Listener(String name, String host, int port) {

    /** Parses a comma-separated listener list; errors name {@code key}. */
    public static List<Listener> parseList(String key, String value) {
        List<Listener> out = new ArrayList<>();
        for (String part : value.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            int sep = s.indexOf("://");
            if (sep <= 0) {
                throw new ConfigException(key, value, "each listener must look like PLAINTEXT://host:port");
            }
            String name = s.substring(0, sep).toUpperCase(java.util.Locale.ROOT);
            String hostPort = s.substring(sep + 3);
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) {
                throw new ConfigException(key, value, "listener '" + s + "' has no port (expected " + name + "://host:port)");
            }
            String host = hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            String portText = hostPort.substring(colon + 1);
            int port;
            try {
                port = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new ConfigException(key, value, "port '" + portText + "' is not a number");
            }
            if (port < 0 || port > 65535) {
                throw new ConfigException(key, value, "port " + port + " is outside 0-65535");
            }
            for (Listener l : out) {
                if (l.name().equals(name)) {
                    throw new ConfigException(key, value, "listener name " + name + " appears twice");
                }
            }
            out.add(new Listener(name, host, port));
        }
        if (out.isEmpty()) {
            throw new ConfigException(key, value, "at least one listener is required, e.g. PLAINTEXT://127.0.0.1:9092");
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return name + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
