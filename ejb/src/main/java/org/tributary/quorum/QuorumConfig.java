package org.tributary.quorum;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The settings of one quorum member. Immutable; built with {@link #builder()}, whose
 * {@link Builder#build()} checks every value and reports all problems in one
 * {@link IllegalArgumentException}.
 *
 * <p>Every member of a cluster must be given the same {@code clusterId} (the Raft group id is
 * derived from it) and the same voters. Addresses are {@code host:port} with an explicit port
 * (the address is also how the other members reach this one, so a port picked at bind time
 * would be useless to them). The storage directory holds one Ratis group directory and must not
 * be shared by two running members.
 */
public final class QuorumConfig {
    /** Entries applied between two snapshots unless configured. */
    public static final long DEFAULT_SNAPSHOT_THRESHOLD = 10_000;

    private final String clusterId;
    private final int localId;
    private final Map<Integer, String> voters;
    private final Map<Integer, String> observers;
    private final Path storageDir;
    private final Duration electionTimeoutMin;
    private final Duration electionTimeoutMax;
    private final Duration requestTimeout;
    private final long snapshotThreshold;
    private final long logSegmentBytes;
    private final QuorumTls tls;
    private final String bindAddress;

    private QuorumConfig(Builder b) {
        this.tls = b.tls;
        this.bindAddress = b.bindAddress;
        this.clusterId = b.clusterId;
        this.localId = b.localId;
        this.voters = Collections.unmodifiableMap(new TreeMap<>(b.voters));
        this.observers = Collections.unmodifiableMap(new TreeMap<>(b.observers));
        this.storageDir = b.storageDir;
        this.electionTimeoutMin = b.electionTimeoutMin;
        this.electionTimeoutMax = b.electionTimeoutMax;
        this.requestTimeout = b.requestTimeout;
        this.snapshotThreshold = b.snapshotThreshold;
        this.logSegmentBytes = b.logSegmentBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    public String clusterId() {
        return clusterId;
    }

    public int localId() {
        return localId;
    }

    /** Voter id to {@code host:port}, sorted by id. */
    public Map<Integer, String> voters() {
        return voters;
    }

    /** Observers known at bootstrap (id to {@code host:port}); more may be added at run time. */
    public Map<Integer, String> observers() {
        return observers;
    }

    public boolean localIsVoter() {
        return voters.containsKey(localId);
    }

    /** The address this member binds: its entry among the voters or the observers. */
    public String localAddress() {
        return localIsVoter() ? voters.get(localId) : observers.get(localId);
    }

    /** The address this member's server binds: {@link #localAddress()} unless a test put a proxy in front of it. */
    String bindAddress() {
        return bindAddress != null ? bindAddress : localAddress();
    }

    /** Mutual TLS for all quorum traffic, or empty for plaintext (the default). */
    public java.util.Optional<QuorumTls> tls() {
        return java.util.Optional.ofNullable(tls);
    }

    public Path storageDir() {
        return storageDir;
    }

    public Duration electionTimeoutMin() {
        return electionTimeoutMin;
    }

    public Duration electionTimeoutMax() {
        return electionTimeoutMax;
    }

    /** The longest any single request (append, leader request, configuration change) may wait. */
    public Duration requestTimeout() {
        return requestTimeout;
    }

    public long snapshotThreshold() {
        return snapshotThreshold;
    }

    public long logSegmentBytes() {
        return logSegmentBytes;
    }

    /**
     * A copy in which this member is an observer at its own address and {@code voters} (which must
     * not name it) are the voters; the other settings are kept.
     */
    QuorumConfig asObserver(Map<Integer, String> voters) {
        Builder b = new Builder().clusterId(clusterId).localId(localId).storageDir(storageDir)
                .electionTimeout(electionTimeoutMin, electionTimeoutMax).requestTimeout(requestTimeout)
                .snapshotThreshold(snapshotThreshold).logSegmentBytes(logSegmentBytes).tls(tls).voters(voters)
                .observer(localId, localAddress());
        if (bindAddress != null) {
            b.bindAddress(bindAddress);
        }
        return b.build();
    }

    /** Builds a copy with another local id and storage directory (handy for tests and tools). */
    public Builder toBuilder() {
        Builder b = new Builder().clusterId(clusterId).localId(localId).storageDir(storageDir)
                .electionTimeout(electionTimeoutMin, electionTimeoutMax).requestTimeout(requestTimeout)
                .snapshotThreshold(snapshotThreshold).logSegmentBytes(logSegmentBytes).tls(tls);
        voters.forEach(b::voter);
        observers.forEach(b::observer);
        return b;
    }

    @Override
    public String toString() {
        return "QuorumConfig{cluster=" + clusterId + ", local=" + localId + ", voters=" + voters + ", observers="
                + observers + ", storage=" + storageDir + ", election=" + electionTimeoutMin.toMillis() + ".."
                + electionTimeoutMax.toMillis() + "ms, request=" + requestTimeout.toMillis() + "ms, snapshotEvery="
                + snapshotThreshold + ", transport=" + (tls == null ? "plaintext" : tls) + "}";
    }

    /** Collects settings; not thread-safe. */
    public static final class Builder {
        private String clusterId;
        private int localId = -1;
        private final Map<Integer, String> voters = new HashMap<>();
        private final Map<Integer, String> observers = new HashMap<>();
        private Path storageDir;
        private Duration electionTimeoutMin = Duration.ofMillis(300);
        private Duration electionTimeoutMax = Duration.ofMillis(600);
        private Duration requestTimeout = Duration.ofSeconds(5);
        private long snapshotThreshold = DEFAULT_SNAPSHOT_THRESHOLD;
        private long logSegmentBytes = 8L * 1024 * 1024;
        private QuorumTls tls;
        private String bindAddress;

        private Builder() {
        }

        /** Mutual TLS for all quorum traffic; null (the default) for plaintext. Every member must agree. */
        public Builder tls(QuorumTls v) {
            tls = v;
            return this;
        }

        /** Binds {@code hostPort} instead of the member's own address (tests: a proxy listens on that address). */
        Builder bindAddress(String hostPort) {
            bindAddress = hostPort;
            return this;
        }

        public Builder clusterId(String v) {
            clusterId = v;
            return this;
        }

        public Builder localId(int v) {
            localId = v;
            return this;
        }

        public Builder voter(int id, String hostPort) {
            voters.put(id, hostPort);
            return this;
        }

        public Builder voters(Map<Integer, String> v) {
            voters.clear();
            voters.putAll(v);
            return this;
        }

        public Builder observer(int id, String hostPort) {
            observers.put(id, hostPort);
            return this;
        }

        public Builder storageDir(Path v) {
            storageDir = v;
            return this;
        }

        public Builder electionTimeout(Duration min, Duration max) {
            electionTimeoutMin = min;
            electionTimeoutMax = max;
            return this;
        }

        public Builder requestTimeout(Duration v) {
            requestTimeout = v;
            return this;
        }

        public Builder snapshotThreshold(long v) {
            snapshotThreshold = v;
            return this;
        }

        public Builder logSegmentBytes(long v) {
            logSegmentBytes = v;
            return this;
        }

        /** @throws IllegalArgumentException naming every bad value at once */
        public QuorumConfig build() {
            List<String> problems = new ArrayList<>();
            if (clusterId == null || clusterId.isBlank()) {
                problems.add("clusterId is required");
            }
            if (voters.isEmpty()) {
                problems.add("at least one voter is required");
            }
            Map<String, Integer> seen = new HashMap<>();
            checkAddresses("voter", voters, seen, problems);
            checkAddresses("observer", observers, seen, problems);
            for (Integer id : observers.keySet()) {
                if (voters.containsKey(id)) {
                    problems.add("node " + id + " is both a voter and an observer");
                }
            }
            if (!voters.containsKey(localId) && !observers.containsKey(localId)) {
                problems.add("local id " + localId + " is neither a voter " + voters.keySet() + " nor an observer "
                        + observers.keySet());
            }
            if (storageDir == null) {
                problems.add("storageDir is required");
            }
            if (electionTimeoutMin == null || electionTimeoutMax == null || electionTimeoutMin.toMillis() < 50
                    || electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
                problems.add("election timeouts must satisfy 50ms <= min < max (got " + electionTimeoutMin + ".."
                        + electionTimeoutMax + ")");
            }
            if (requestTimeout == null || electionTimeoutMax == null || requestTimeout.compareTo(electionTimeoutMax) <= 0) {
                problems.add("requestTimeout (" + requestTimeout + ") must be longer than the largest election timeout");
            }
            if (snapshotThreshold < 1) {
                problems.add("snapshotThreshold must be at least 1 (got " + snapshotThreshold + ")");
            }
            if (bindAddress != null && !validHostPort(bindAddress)) {
                problems.add("bind address '" + bindAddress + "' is not host:port with port 1..65535");
            }
            if (logSegmentBytes < 4096) {
                problems.add("logSegmentBytes must be at least 4096 (got " + logSegmentBytes + ")");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid quorum configuration: " + String.join("; ", problems));
            }
            return new QuorumConfig(this);
        }

        private static void checkAddresses(String what, Map<Integer, String> members, Map<String, Integer> seen,
                List<String> problems) {
            for (Map.Entry<Integer, String> e : new TreeMap<>(members).entrySet()) {
                int id = e.getKey();
                String address = e.getValue();
                if (id < 0) {
                    problems.add(what + " id " + id + " is negative");
                }
                if (!validHostPort(address)) {
                    problems.add(what + " " + id + " has address '" + address + "', expected host:port with port 1..65535");
                    continue;
                }
                Integer other = seen.putIfAbsent(address, id);
                if (other != null) {
                    problems.add("nodes " + other + " and " + id + " share the address " + address);
                }
            }
        }

        static boolean validHostPort(String address) {
            if (address == null) {
                return false;
            }
            int colon = address.lastIndexOf(':');
            if (colon <= 0 || colon == address.length() - 1) {
                return false;
            }
            try {
                int port = Integer.parseInt(address.substring(colon + 1));
                return port >= 1 && port <= 65535;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }
}
