package org.tributary.grid;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;
import org.tributary.config.QuorumSettings.HostPort;
import org.tributary.util.AtomicFile;

/**
 * The voters of the metadata quorum: node id to quorum address, ordered by id. Written as
 * {@code id@host:port,...} (the format of Kafka's {@code controller.quorum.voters}), in the grid
 * while a cluster forms and in {@code <data dir>/quorum-voters} once it has, so that a restarted
 * node (or a whole cluster after a full stop, when the grid remembers nothing) needs no grid to
 * find its quorum.
 *
 * <p>Immutable.
 */
public record VoterSet(Map<Integer, HostPort> voters) {
    public static final String FILE_NAME = "quorum-voters";

    public VoterSet {
        voters = java.util.Collections.unmodifiableMap(new TreeMap<>(voters));
        if (voters.isEmpty()) {
            throw new IllegalArgumentException("a voter set has at least one voter");
        }
    }

    /** A node that offers itself as a voter while the cluster forms. */
    public record Candidate(int nodeId, HostPort address) {
    }

    /**
     * The voters of a forming cluster: the {@code count} candidates with the lowest node ids, once
     * at least {@code count} are present; empty while fewer are.
     */
    public static Optional<VoterSet> choose(int count, Collection<Candidate> candidates) {
        List<Candidate> sorted = candidates.stream().sorted(Comparator.comparingInt(Candidate::nodeId)).distinct().toList();
        if (sorted.size() < count) {
            return Optional.empty();
        }
        Map<Integer, HostPort> m = new LinkedHashMap<>();
        for (Candidate c : sorted.subList(0, count)) {
            m.put(c.nodeId(), c.address());
        }
        return Optional.of(new VoterSet(m));
    }

    /** A voter set from the quorum's own view: id to {@code host:port}. */
    public static VoterSet fromAddresses(Map<Integer, String> addresses) {
        Map<Integer, HostPort> m = new LinkedHashMap<>();
        addresses.forEach((id, a) -> {
            int colon = a.lastIndexOf(':');
            m.put(id, new HostPort(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
        });
        return new VoterSet(m);
    }

    public boolean contains(int nodeId) {
        return voters.containsKey(nodeId);
    }

    public int size() {
        return voters.size();
    }

    /** {@code id@host:port,...} in id order. */
    public String format() {
        StringJoiner j = new StringJoiner(",");
        voters.forEach((id, a) -> j.add(id + "@" + a.host() + ":" + a.port()));
        return j.toString();
    }

    /** Parses {@link #format()}'s output; damaged text is an {@link IllegalArgumentException}. */
    public static VoterSet parse(String text) {
        Map<Integer, HostPort> m = new LinkedHashMap<>();
        for (String part : text.trim().split(",")) {
            int at = part.indexOf('@');
            int colon = part.lastIndexOf(':');
            if (at <= 0 || colon <= at + 1) {
                throw new IllegalArgumentException("'" + part + "' is not of the form id@host:port");
            }
            m.put(Integer.parseInt(part.substring(0, at).trim()),
                    new HostPort(part.substring(at + 1, colon), Integer.parseInt(part.substring(colon + 1).trim())));
        }
        return new VoterSet(m);
    }

    /** The voter set this data directory belongs to, if it has joined a quorum before. */
    public static Optional<VoterSet> read(Path dataDir) throws IOException {
        Path f = dataDir.resolve(FILE_NAME);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        String text = Files.readString(f, StandardCharsets.US_ASCII);
        try {
            return Optional.of(parse(text));
        } catch (RuntimeException e) {
            throw new IOException(f + " is damaged (" + e.getMessage() + "); restore it from another node of the cluster", e);
        }
    }

    public void write(Path dataDir) throws IOException {
        AtomicFile.write(dataDir.resolve(FILE_NAME), (format() + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return format();
    }
}
