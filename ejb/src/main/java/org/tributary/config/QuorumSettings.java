package org.tributary.config;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * How this node takes part in the metadata quorum, validated together at start-up.
 *
 * <ul>
 *   <li>{@code controller.quorum.voters} (Kafka's name and format, {@code id@host:port,...}): the
 *       voters, chosen explicitly. When absent, the voters are formed automatically through the data
 *       grid from the first {@code tributary.quorum.voter.count} nodes that show up.</li>
 *   <li>{@code tributary.quorum.voter.count} (default 1): how many voters automatic formation waits
 *       for; the launcher sets it to min(3, nodes) for a local cluster. 1 to 7.</li>
 *   <li>{@code tributary.quorum.port}: the port this node's quorum (Raft) traffic binds on
 *       {@code tributary.quorum.host} (default: the PLAINTEXT listener's host, loopback when that is a
 *       wildcard); default the Kafka port + 100. Raft traffic has its own port so it never waits
 *       behind client requests.</li>
 * </ul>
 *
 * <p>Immutable.
 */
public record QuorumSettings(Map<Integer, HostPort> explicitVoters, int voterCount, String host, int port) {
    public static final String VOTERS = "controller.quorum.voters";
    public static final String VOTER_COUNT = "tributary.quorum.voter.count";
    public static final String HOST = "tributary.quorum.host";
    public static final String PORT = "tributary.quorum.port";
    public static final int MAX_VOTERS = 7;
    public static final int PORT_OFFSET = 100;

    /** A host and port of a quorum member. */
    public record HostPort(String host, int port) {
        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public QuorumSettings {
        explicitVoters = Collections.unmodifiableMap(new LinkedHashMap<>(explicitVoters));
    }

    /**
     * Reads the quorum settings of node {@code nodeId} (empty when the cluster assigns it), whose
     * Kafka listener is {@code kafka}; the first problem is thrown as a {@link ConfigException}.
     */
    public static QuorumSettings from(BrokerConfig config, Optional<Integer> nodeId, Listener kafka) {
        Map<Integer, HostPort> voters = parseVoters(config.getString(VOTERS, ""));
        int count = config.getInt(VOTER_COUNT, 1, 1, MAX_VOTERS);
        if (!voters.isEmpty() && config.get(VOTER_COUNT).filter(s -> !s.isEmpty()).isPresent() && count != voters.size()) {
            throw new ConfigException(VOTER_COUNT, count, "disagrees with the " + voters.size() + " voters named in "
                    + VOTERS + "; set only one of them");
        }
        String defaultHost = kafka.host().isEmpty() || kafka.host().equals("0.0.0.0") || kafka.host().equals("::")
                ? "127.0.0.1" : kafka.host();
        String host = config.get(HOST).filter(s -> !s.isEmpty()).orElse(defaultHost);
        int defaultPort = kafka.port() == 0 ? 0 : kafka.port() + PORT_OFFSET;
        int port = config.getInt(PORT, defaultPort, 0, 65535);
        if (port != 0 && port == kafka.port()) {
            throw new ConfigException(PORT, port, "is the Kafka listener's port; give the quorum its own port");
        }
        if (!voters.isEmpty()) {
            if (nodeId.isEmpty()) {
                throw new ConfigException(VOTERS, config.getString(VOTERS, ""), "names the voters by node id, so "
                        + NodeSettings.NODE_ID + " must be set on every node");
            }
            HostPort mine = voters.get(nodeId.get());
            if (mine != null && mine.port() != port) {
                throw new ConfigException(VOTERS, config.getString(VOTERS, ""), "names " + mine + " for node " + nodeId.get()
                        + " but this node's quorum port is " + port + " (" + PORT + "); make them agree");
            }
        }
        return new QuorumSettings(voters, voters.isEmpty() ? count : voters.size(), host, port);
    }

    /** Parses {@code id@host:port,...}; empty for an empty value. */
    static Map<Integer, HostPort> parseVoters(String value) {
        Map<Integer, HostPort> out = new LinkedHashMap<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        Set<String> addresses = new HashSet<>();
        for (String part : value.split(",")) {
            String v = part.trim();
            int at = v.indexOf('@');
            int colon = v.lastIndexOf(':');
            if (at <= 0 || colon <= at + 1 || colon == v.length() - 1) {
                throw new ConfigException(VOTERS, value, "'" + v + "' is not of the form id@host:port");
            }
            int id;
            int port;
            try {
                id = Integer.parseInt(v.substring(0, at));
                port = Integer.parseInt(v.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException(VOTERS, value, "'" + v + "' is not of the form id@host:port (id and port are numbers)");
            }
            if (id < 0 || port < 1 || port > 65535) {
                throw new ConfigException(VOTERS, value, "'" + v + "' has an id below 0 or a port outside 1..65535");
            }
            String host = v.substring(at + 1, colon);
            if (out.put(id, new HostPort(host, port)) != null) {
                throw new ConfigException(VOTERS, value, "node " + id + " is named twice");
            }
            if (!addresses.add(host + ":" + port)) {
                throw new ConfigException(VOTERS, value, "the address " + host + ":" + port + " is given to two voters");
            }
        }
        if (out.size() > MAX_VOTERS) {
            throw new ConfigException(VOTERS, value, "names " + out.size() + " voters; at most " + MAX_VOTERS + " are supported");
        }
        return out;
    }

    /** Whether the voters are named explicitly rather than formed through the grid. */
    public boolean explicit() {
        return !explicitVoters.isEmpty();
    }

    /** This node's quorum address; port 0 until {@link #withPort} fixed one. */
    public HostPort self() {
        return new HostPort(host, port);
    }

    /**
     * With the given port: for a node whose Kafka listener takes any free port (0), the quorum port
     * is picked once, at the node's first start, and kept with the voters in its data directory.
     */
    public QuorumSettings withPort(int newPort) {
        return new QuorumSettings(explicitVoters, voterCount, host, newPort);
    }
}
