package org.tributary.metadata;

import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.security.scram.ScramCredential;
import org.apache.kafka.common.security.scram.internals.ScramMechanism;

/**
 * The SCRAM credentials of the cluster (KIP-554), as the metadata log holds them: for each user
 * and mechanism the salt, the stored key, the server key and the iteration count. Never a
 * password: the controller turns the salted password of an AlterUserScramCredentials request
 * into the two keys. The SASL/SCRAM authenticator looks credentials up with {@link #find};
 * DescribeUserScramCredentials lists {@link #users()} and {@link #iterations(String)}.
 *
 * <p>Immutable and safe to share between threads: arrays are copied in and out, so no caller can
 * change a stored key. Equality is by value (the bytes). {@link #toString()} names users and
 * mechanisms only, never a salt or a key.
 */
public final class ScramCredentials {
    public static final ScramCredentials EMPTY = new ScramCredentials(Collections.emptySortedMap());

    /** One stored credential; the arrays are private copies. */
    private record Entry(byte[] salt, byte[] storedKey, byte[] serverKey, int iterations) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && iterations == e.iterations && Arrays.equals(salt, e.salt)
                    && Arrays.equals(storedKey, e.storedKey) && Arrays.equals(serverKey, e.serverKey);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * (31 * Arrays.hashCode(salt) + Arrays.hashCode(storedKey)) + Arrays.hashCode(serverKey)) + iterations;
        }

        @Override
        public String toString() {
            return "[hidden]";
        }
    }

    /** User name to its credentials by mechanism; no user has an empty map. */
    private final SortedMap<String, Map<ScramMechanism, Entry>> users;

    private ScramCredentials(SortedMap<String, Map<ScramMechanism, Entry>> users) {
        this.users = users;
    }

    /**
     * The credential of {@code user} for {@code mechanism}, a fresh copy the caller may keep; empty
     * when the user has none for that mechanism (or {@code user} is null).
     */
    public Optional<ScramCredential> find(String user, ScramMechanism mechanism) {
        Map<ScramMechanism, Entry> m = user == null ? null : users.get(user);
        Entry e = m == null || mechanism == null ? null : m.get(mechanism);
        return e == null ? Optional.empty()
                : Optional.of(new ScramCredential(e.salt().clone(), e.storedKey().clone(), e.serverKey().clone(), e.iterations()));
    }

    /** Whether {@code user} has a credential for {@code mechanism}. */
    public boolean contains(String user, ScramMechanism mechanism) {
        Map<ScramMechanism, Entry> m = users.get(user);
        return m != null && m.containsKey(mechanism);
    }

    /** Every user with at least one credential, ordered by name. */
    public SortedSet<String> users() {
        return Collections.unmodifiableSortedSet(new TreeSet<>(users.keySet()));
    }

    /** The iteration count of each of {@code user}'s credentials by mechanism; empty when none. What Describe may show. */
    public Map<ScramMechanism, Integer> iterations(String user) {
        Map<ScramMechanism, Entry> m = users.get(user);
        if (m == null) {
            return Map.of();
        }
        Map<ScramMechanism, Integer> out = new EnumMap<>(ScramMechanism.class);
        m.forEach((mech, e) -> out.put(mech, e.iterations()));
        return Collections.unmodifiableMap(out);
    }

    public boolean isEmpty() {
        return users.isEmpty();
    }

    /** The number of credentials (user and mechanism pairs). */
    public int size() {
        return users.values().stream().mapToInt(Map::size).sum();
    }

    /** These credentials with {@code user}'s credential for {@code mechanism} set (added or replaced); the arrays are copied. */
    public ScramCredentials with(String user, ScramMechanism mechanism, ScramCredential credential) {
        return toBuilder().set(user, mechanism, credential).build();
    }

    /** These credentials without {@code user}'s credential for {@code mechanism} (unchanged when there is none). */
    public ScramCredentials without(String user, ScramMechanism mechanism) {
        return contains(user, mechanism) ? toBuilder().remove(user, mechanism).build() : this;
    }

    /** A builder starting from these credentials, for many changes at once (one log entry, a snapshot). */
    public Builder toBuilder() {
        return new Builder(users);
    }

    /**
     * Changes to a copy of some credentials, applied in O(log n) each, then {@link #build} once:
     * replaying a snapshot of n credentials costs n log n, not n². Not thread-safe.
     */
    public static final class Builder {
        private final TreeMap<String, Map<ScramMechanism, Entry>> users;

        private Builder(SortedMap<String, Map<ScramMechanism, Entry>> from) {
            this.users = new TreeMap<>(from);
        }

        /** Sets (adds or replaces) {@code user}'s credential for {@code mechanism}; the arrays are copied. */
        public Builder set(String user, ScramMechanism mechanism, ScramCredential credential) {
            java.util.Objects.requireNonNull(user, "user");
            java.util.Objects.requireNonNull(mechanism, "mechanism");
            Entry e = new Entry(credential.salt().clone(), credential.storedKey().clone(), credential.serverKey().clone(),
                    credential.iterations());
            Map<ScramMechanism, Entry> m = new EnumMap<>(ScramMechanism.class);
            m.putAll(users.getOrDefault(user, Map.of()));
            m.put(mechanism, e);
            users.put(user, Collections.unmodifiableMap(m));
            return this;
        }

        public boolean contains(String user, ScramMechanism mechanism) {
            Map<ScramMechanism, Entry> m = users.get(user);
            return m != null && m.containsKey(mechanism);
        }

        /** Removes {@code user}'s credential for {@code mechanism}, if there is one. */
        public Builder remove(String user, ScramMechanism mechanism) {
            if (contains(user, mechanism)) {
                Map<ScramMechanism, Entry> m = new EnumMap<>(ScramMechanism.class);
                m.putAll(users.get(user));
                m.remove(mechanism);
                if (m.isEmpty()) {
                    users.remove(user);
                } else {
                    users.put(user, Collections.unmodifiableMap(m));
                }
            }
            return this;
        }

        public ScramCredentials build() {
            return new ScramCredentials(Collections.unmodifiableSortedMap(new TreeMap<>(users)));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredentials s && users.equals(s.users);
    }

    @Override
    public int hashCode() {
        return users.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("ScramCredentials[");
        String sep = "";
        for (Map.Entry<String, Map<ScramMechanism, Entry>> u : users.entrySet()) {
            b.append(sep).append(u.getKey()).append(": ");
            b.append(String.join(",", u.getValue().keySet().stream().map(ScramMechanism::mechanismName).toList()));
            sep = "; ";
        }
        return b.append(']').toString();
    }
}
