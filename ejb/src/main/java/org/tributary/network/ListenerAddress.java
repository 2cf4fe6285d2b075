package org.tributary.network;

import java.util.List;
import org.tributary.config.Listener;

/**
 * One entry of Kafka's {@code listeners} property, {@code NAME://host:port}. An empty host means
 * all interfaces; port 0 means an ephemeral port.
 */
public record ListenerAddress(String name, String host, int port) {

    /**
     * Parses a comma-separated {@code listeners} value with the broker's one listener parser
     * ({@link Listener#parseList}); errors name {@code key}.
     */
    public static List<ListenerAddress> parseAll(String key, String value) {
        return Listener.parseList(key, value).stream().map(l -> new ListenerAddress(l.name(), l.host(), l.port())).toList();
    }

    @Override
    public String toString() {
        return name + "://" + host + ":" + port;
    }
}
