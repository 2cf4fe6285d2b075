package org.tributary.metadata;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * One version of the cluster metadata: registered brokers (every id ever registered stays, as
 * brokers are never unregistered), topics by name and by id with their partitions and configs,
 * broker configs, the next producer id, the ACLs, the client quotas, the SCRAM credentials, and the
 * offset and epoch of the last applied log entry.
 *
 * <p>Images built from the log ({@link MetadataDelta}) have {@code version() == offset() + 1}; the
 * single-broker file store builds images with {@link #with}/{@link #without}, which count versions
 * and leave offset and epoch at -1.
 *
 * <p>Immutable and safe to share between threads; request handlers read exactly one image per
 * request, so a request never sees half of a change. Equality is by value.
 */
public final class MetadataImage {
    public static final MetadataImage EMPTY = new MetadataImage(0, Map.of());

    private final long version;
    private final long offset;
    private final long epoch;
    private final SortedMap<Integer, BrokerRegistration> brokers;
    private final SortedMap<String, TopicImage> byName;
    private final Map<Uuid, TopicImage> byId;
    private final SortedMap<String, Map<String, String>> brokerConfigs;
    private final long nextProducerId;
    private final AclsImage acls;
    private final ClientQuotas quotas;
    private final ScramCredentials scram;

    /** An image of topics only (the single-broker file store). */
    public MetadataImage(long version, Map<String, TopicImage> topics) {
        this(version, -1, -1, new TreeMap<>(), new TreeMap<>(topics), new TreeMap<>(), 0, AclsImage.EMPTY, ClientQuotas.EMPTY,
                ScramCredentials.EMPTY);
    }

    /** Takes ownership of the (already copied) maps. */
    MetadataImage(long version, long offset, long epoch, SortedMap<Integer, BrokerRegistration> brokers,
            SortedMap<String, TopicImage> topicsByName, SortedMap<String, Map<String, String>> brokerConfigs, long nextProducerId,
            AclsImage acls, ClientQuotas quotas, ScramCredentials scram) {
        this.version = version;
        this.offset = offset;
        this.epoch = epoch;
        this.brokers = Collections.unmodifiableSortedMap(brokers);
        this.byName = Collections.unmodifiableSortedMap(topicsByName);
        Map<Uuid, TopicImage> ids = new HashMap<>();
        topicsByName.values().forEach(t -> ids.put(t.id(), t));
        this.byId = Collections.unmodifiableMap(ids);
        this.brokerConfigs = Collections.unmodifiableSortedMap(brokerConfigs);
        this.nextProducerId = nextProducerId;
        this.quotas = quotas;
        this.acls = acls;
        this.scram = scram;
    }

    public long version() {
        return version;
    }

    /** The log offset of the last applied entry, -1 before any. */
    public long offset() {
        return offset;
    }

    /** The epoch (Raft term) of the last applied entry, -1 before any. */
    public long epoch() {
        return epoch;
    }

    /** Every broker ever registered, ordered by id. */
    public Collection<BrokerRegistration> brokers() {
        return brokers.values();
    }

    public Optional<BrokerRegistration> broker(int id) {
        return Optional.ofNullable(brokers.get(id));
    }

    SortedMap<Integer, BrokerRegistration> brokerMap() {
        return brokers;
    }

    public Optional<TopicImage> topic(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Optional<TopicImage> topic(Uuid id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Topics ordered by name. */
    public Collection<TopicImage> topics() {
        return byName.values();
    }

    SortedMap<String, TopicImage> topicMap() {
        return byName;
    }

    /** Broker config overrides by resource name (a broker id, or "" for the cluster default). */
    public SortedMap<String, Map<String, String>> brokerConfigs() {
        return brokerConfigs;
    }

    public Map<String, String> brokerConfig(String resourceName) {
        return brokerConfigs.getOrDefault(resourceName, Map.of());
    }

    /** The first producer id of the next block the controller hands out. */
    public long nextProducerId() {
        return nextProducerId;
    }

    /** The ACLs in force (the same object from image to image until an entry changes them). */
    public AclsImage acls() {
        return acls;
    }

    /** The client quotas (user / client id entities and their values). */
    public ClientQuotas quotas() {
        return quotas;
    }

    /**
     * The SCRAM credentials (KIP-554): what the SASL/SCRAM authenticator checks a client's proof
     * against, by user and mechanism. Empty in {@link #EMPTY} and in file-store images.
     */
    public ScramCredentials scram() {
        return scram;
    }

    /** A new version with {@code topic} added or replaced. */
    public MetadataImage with(TopicImage topic) {
        SortedMap<String, TopicImage> m = new TreeMap<>(byName);
        m.put(topic.name(), topic);
        return new MetadataImage(version + 1, offset, epoch, new TreeMap<>(brokers), m, new TreeMap<>(brokerConfigs), nextProducerId, acls,
                quotas, scram);
    }

    /** A new version without the named topic. */
    public MetadataImage without(String name) {
        SortedMap<String, TopicImage> m = new TreeMap<>(byName);
        m.remove(name);
        return new MetadataImage(version + 1, offset, epoch, new TreeMap<>(brokers), m, new TreeMap<>(brokerConfigs), nextProducerId, acls,
                quotas, scram);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MetadataImage i && version == i.version && offset == i.offset && epoch == i.epoch
                && nextProducerId == i.nextProducerId && brokers.equals(i.brokers) && byName.equals(i.byName)
                && brokerConfigs.equals(i.brokerConfigs) && acls.equals(i.acls) && quotas.equals(i.quotas)
                && scram.equals(i.scram);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, offset, epoch, nextProducerId, brokers, byName, brokerConfigs, acls, quotas, scram);
    }

    @Override
    public String toString() {
        return "MetadataImage[offset=" + offset + ", epoch=" + epoch + ", version=" + version + ", brokers=" + brokers.values()
                + ", topics=" + byName.values() + ", brokerConfigs=" + brokerConfigs + ", nextProducerId=" + nextProducerId
                + ", acls=" + acls.byId().size() + (quotas.isEmpty() ? "" : ", quotas=" + quotas)
                + (scram.isEmpty() ? "" : ", scram credentials=" + scram.size()) + "]";
    }
}
