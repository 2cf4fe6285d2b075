package org.tributary.metadata;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.tributary.metadata.MetadataRecord.ClientQuotaRecord;
import org.tributary.metadata.MetadataRecord.AccessControlEntryRecord;
import org.tributary.metadata.MetadataRecord.ConfigRecord;
import org.tributary.metadata.MetadataRecord.ControlledShutdownRecord;
import org.tributary.metadata.MetadataRecord.FenceBrokerRecord;
import org.tributary.metadata.MetadataRecord.NoOpRecord;
import org.tributary.metadata.MetadataRecord.PartitionChangeRecord;
import org.tributary.metadata.MetadataRecord.PartitionRecord;
import org.tributary.metadata.MetadataRecord.ProducerIdsRecord;
import org.tributary.metadata.MetadataRecord.RegisterBrokerRecord;
import org.tributary.metadata.MetadataRecord.RemoveAccessControlEntryRecord;
import org.tributary.metadata.MetadataRecord.RemoveTopicRecord;
import org.tributary.metadata.MetadataRecord.RemoveUserScramCredentialRecord;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.metadata.MetadataRecord.TopicRecord;
import org.tributary.metadata.MetadataRecord.UnfenceBrokerRecord;
import org.tributary.metadata.MetadataRecord.UserScramCredentialRecord;

/**
 * The changes of one log entry (a batch of records) on top of a base {@link MetadataImage}.
 * {@link #replay} checks each record against the state so far and records the change; the lookups
 * ({@link #broker}, {@link #topic}) show the base with the changes so far, so the controller can use
 * a delta as its scratch state while it builds a batch. {@link #apply} makes the new image, sharing
 * every unchanged topic and broker with the base (copy-on-write per topic).
 *
 * <p>A record that does not fit the state (an unknown topic, a stale broker epoch, a producer id
 * going backwards...) throws {@link IllegalStateException}: the controller never writes such a
 * record, so it means a bug or a damaged log; discard the delta, the base image is untouched.
 *
 * <p>Not thread-safe; one delta per batch.
 */
public final class MetadataDelta {
    private final MetadataImage base;
    private final Map<Integer, BrokerRegistration> brokers = new HashMap<>();
    private final Map<Uuid, TopicImage> changedTopics = new HashMap<>();
    private final Set<Uuid> removedTopics = new HashSet<>();
    private final Map<String, Map<String, String>> changedBrokerConfigs = new HashMap<>();
    private final Map<Uuid, org.apache.kafka.common.acl.AclBinding> addedAcls = new HashMap<>();
    private final Set<Uuid> removedAcls = new HashSet<>();
    private long nextProducerId;
    private ClientQuotas quotas;
    /** The SCRAM credentials with this batch's changes; null until a record changes them. */
    private ScramCredentials.Builder scram;
    private int replayed;

    public MetadataDelta(MetadataImage base) {
        this.base = base;
        this.nextProducerId = base.nextProducerId();
        this.quotas = base.quotas();
    }

    /** Applies one batch to {@code image} atomically: the new image, or an exception and no change. */
    public static MetadataImage apply(MetadataImage image, List<? extends MetadataRecord> batch, long offset, long epoch) {
        MetadataDelta delta = new MetadataDelta(image);
        delta.replayAll(batch);
        return delta.apply(offset, epoch);
    }

    public MetadataImage base() {
        return base;
    }

    public void replayAll(List<? extends MetadataRecord> batch) {
        for (MetadataRecord r : batch) {
            replay(r);
        }
    }

    public void replay(MetadataRecord record) {
        try {
            dispatch(record);
        } catch (IllegalStateException | IllegalArgumentException e) {
            throw new IllegalStateException("record " + (replayed + 1) + " of the batch on offset " + base.offset()
                    + " does not apply: " + e.getMessage() + " (" + record + ")", e);
        }
        replayed++;
    }

    private void dispatch(MetadataRecord record) {
        if (record instanceof RegisterBrokerRecord r) {
            register(r);
        } else if (record instanceof FenceBrokerRecord r) {
            BrokerRegistration b = brokerAt(r.brokerId(), r.epoch());
            brokers.put(b.id(), b.withFenced(true));
        } else if (record instanceof UnfenceBrokerRecord r) {
            BrokerRegistration b = brokerAt(r.brokerId(), r.epoch());
            brokers.put(b.id(), b.withFenced(false));
        } else if (record instanceof ControlledShutdownRecord r) {
            BrokerRegistration b = brokerAt(r.brokerId(), r.epoch());
            check(!b.fenced(), () -> "fenced broker " + b.id() + " cannot enter controlled shutdown");
            brokers.put(b.id(), b.withControlledShutdown());
        } else if (record instanceof TopicRecord r) {
            check(!r.topicId().equals(Uuid.ZERO_UUID), "topic id is the zero id");
            check(topic(r.name()).isEmpty(), () -> "topic " + r.name() + " exists");
            check(topic(r.topicId()).isEmpty() && !removedTopics.contains(r.topicId()) && base.topic(r.topicId()).isEmpty(),
                    () -> "topic id " + r.topicId() + " was used before");
            changedTopics.put(r.topicId(), TopicImage.of(r.name(), r.topicId(), List.of(), Map.of()));
        } else if (record instanceof PartitionRecord r) {
            TopicImage t = topicOrThrow(r.topicId());
            check(r.partition() >= 0 && r.partition() <= t.partitionCount(), () -> "partition " + r.partition() + " of " + t.name()
                    + " would leave a gap after " + t.partitionCount());
            PartitionRegistration reg = r.registration();
            validate(reg);
            changedTopics.put(t.id(), t.withPartition(r.partition(), reg));
        } else if (record instanceof PartitionChangeRecord r) {
            TopicImage t = topicOrThrow(r.topicId());
            check(r.partition() >= 0 && r.partition() < t.partitionCount(), () -> "no partition " + r.partition() + " in " + t.name());
            PartitionRegistration reg = t.partition(r.partition()).merge(r);
            validate(reg);
            changedTopics.put(t.id(), t.withPartition(r.partition(), reg));
        } else if (record instanceof ConfigRecord r) {
            config(r);
        } else if (record instanceof RemoveTopicRecord r) {
            topicOrThrow(r.topicId());
            changedTopics.remove(r.topicId());
            removedTopics.add(r.topicId());
        } else if (record instanceof ProducerIdsRecord r) {
            check(r.nextProducerId() > nextProducerId,
                    () -> "next producer id " + r.nextProducerId() + " is not above " + nextProducerId);
            nextProducerId = r.nextProducerId();
        } else if (record instanceof ClientQuotaRecord r) {
            quotas = quotas.with(r.entity(), r.key(), r.value(), r.remove());
        } else if (record instanceof AccessControlEntryRecord r) {
            check(acl(r.id()).isEmpty() && !removedAcls.contains(r.id()), () -> "ACL id " + r.id() + " was used before");
            addedAcls.put(r.id(), r.acl());
        } else if (record instanceof RemoveAccessControlEntryRecord r) {
            check(acl(r.id()).isPresent(), () -> "no ACL with id " + r.id());
            if (addedAcls.remove(r.id()) == null) {
                removedAcls.add(r.id());
            }
        } else if (record instanceof UserScramCredentialRecord r) {
            scramChanges().set(r.user(), r.mechanism(), r.credential());
        } else if (record instanceof RemoveUserScramCredentialRecord r) {
            check(scramChanges().contains(r.user(), r.mechanism()), () -> "no " + r.mechanism().mechanismName() + " credential for user "
                    + r.user());
            scramChanges().remove(r.user(), r.mechanism());
        } else if (record instanceof NoOpRecord) {
            // nothing to change
        } else {
            throw new IllegalStateException("unknown record type " + record.getClass().getName());
        }
    }

    private void register(RegisterBrokerRecord r) {
        Optional<BrokerRegistration> old = broker(r.brokerId());
        if (r.epoch() != MetadataRecord.EPOCH_OF_ENTRY) {
            check(r.epoch() >= 0, () -> "broker epoch " + r.epoch());
            old.ifPresent(o -> check(r.epoch() > o.epoch(), () -> "broker " + r.brokerId() + " epoch " + r.epoch()
                    + " is not above its current epoch " + o.epoch()));
        }
        brokers.put(r.brokerId(), new BrokerRegistration(r.brokerId(), r.incarnationId(), r.epoch(), r.host(), r.kafkaPort(),
                r.httpPort(), r.rack(), r.fenced(), false, r.cleanShutdown(), r.endpoints()));
    }

    private void config(ConfigRecord r) {
        if (r.resourceType() == ResourceType.TOPIC) {
            TopicImage t = topic(r.resourceName()).orElseThrow(() -> new IllegalStateException("no topic " + r.resourceName()));
            Map<String, String> c = new TreeMap<>(t.configs());
            put(c, r.key(), r.value());
            changedTopics.put(t.id(), t.withConfigs(c));
        } else {
            Map<String, String> c = new TreeMap<>(brokerConfig(r.resourceName()));
            put(c, r.key(), r.value());
            changedBrokerConfigs.put(r.resourceName(), c);
        }
    }

    private static void put(Map<String, String> m, String key, String value) {
        if (value == null) {
            m.remove(key);
        } else {
            m.put(key, value);
        }
    }

    private static void validate(PartitionRegistration reg) {
        List<Integer> replicas = reg.replicas();
        List<Integer> isr = reg.isr();
        List<Integer> removing = reg.removingReplicas();
        List<Integer> adding = reg.addingReplicas();
        check(!replicas.isEmpty(), "no replicas");
        check(distinct(replicas), () -> "duplicate replicas " + replicas);
        check(!isr.isEmpty(), "empty ISR");
        check(distinct(isr), () -> "duplicate ISR members " + isr);
        check(replicas.containsAll(isr), () -> "ISR " + isr + " not within replicas " + replicas);
        check(reg.leader() == MetadataRecord.NO_LEADER || isr.contains(reg.leader()),
                () -> "leader " + reg.leader() + " not in ISR " + isr);
        check(distinct(removing) && distinct(adding),
                () -> "duplicate removing " + removing + " or adding " + adding + " replicas");
        check(replicas.containsAll(removing) && replicas.containsAll(adding),
                () -> "removing " + removing + " or adding " + adding + " replicas not within replicas " + replicas);
        check(Collections.disjoint(removing, adding), () -> "replicas both removing " + removing + " and adding " + adding);
        check(removing.size() < replicas.size(), () -> "every replica " + replicas + " is being removed");
    }

    private BrokerRegistration brokerAt(int id, long epoch) {
        BrokerRegistration b = broker(id).orElseThrow(() -> new IllegalStateException("broker " + id + " is not registered"));
        check(b.epoch() == epoch, () -> "broker " + id + " has epoch " + b.epoch() + ", not " + epoch);
        return b;
    }

    private TopicImage topicOrThrow(Uuid id) {
        return topic(id).orElseThrow(() -> new IllegalStateException("no topic with id " + id));
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    /** Records are checked on every node's apply path: the message is built only when a check fails. */
    private static void check(boolean ok, Supplier<String> message) {
        if (!ok) {
            throw new IllegalStateException(message.get());
        }
    }

    /** No id twice; replica lists are short, so a pairwise scan beats building a set. */
    private static boolean distinct(List<Integer> ids) {
        for (int i = 1; i < ids.size(); i++) {
            int id = ids.get(i);
            for (int j = 0; j < i; j++) {
                if (ids.get(j) == id) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The broker as of the records replayed so far (epoch -1 for one registered in this batch). */
    public Optional<BrokerRegistration> broker(int id) {
        BrokerRegistration b = brokers.get(id);
        return b != null ? Optional.of(b) : base.broker(id);
    }

    /** Every broker as of the records replayed so far, ordered by id. */
    public List<BrokerRegistration> brokers() {
        SortedMap<Integer, BrokerRegistration> all = new TreeMap<>(base.brokerMap());
        all.putAll(brokers);
        return new ArrayList<>(all.values());
    }

    public Optional<TopicImage> topic(Uuid id) {
        if (removedTopics.contains(id)) {
            return Optional.empty();
        }
        TopicImage t = changedTopics.get(id);
        return t != null ? Optional.of(t) : base.topic(id);
    }

    public Optional<TopicImage> topic(String name) {
        for (TopicImage t : changedTopics.values()) {
            if (t.name().equals(name)) {
                return Optional.of(t);
            }
        }
        return base.topic(name).filter(t -> !removedTopics.contains(t.id()));
    }

    /**
     * Visits every topic as of the records replayed so far, in no particular order, without copying
     * the image's topics (a controller deciding one topic of thousands looks at all of them).
     */
    public void forEachTopic(java.util.function.Consumer<TopicImage> action) {
        for (TopicImage t : base.topics()) {
            if (!removedTopics.contains(t.id()) && !changedTopics.containsKey(t.id())) {
                action.accept(t);
            }
        }
        changedTopics.values().forEach(action);
    }

    /** Every topic as of the records replayed so far, ordered by name. */
    public List<TopicImage> topics() {
        return new ArrayList<>(topicsByName().values());
    }

    public Map<String, String> brokerConfig(String resourceName) {
        Map<String, String> c = changedBrokerConfigs.get(resourceName);
        return c != null ? c : base.brokerConfig(resourceName);
    }

    public long nextProducerId() {
        return nextProducerId;
    }

    /** The ACL {@code id} as of the records replayed so far. */
    public Optional<org.apache.kafka.common.acl.AclBinding> acl(Uuid id) {
        org.apache.kafka.common.acl.AclBinding a = addedAcls.get(id);
        return a != null ? Optional.of(a) : removedAcls.contains(id) ? Optional.empty() : base.acls().acl(id);
    }

    private ScramCredentials.Builder scramChanges() {
        if (scram == null) {
            scram = base.scram().toBuilder();
        }
        return scram;
    }

    /** The SCRAM credentials as of the records replayed so far (the base's own object while none changed). */
    public ScramCredentials scram() {
        return scram == null ? base.scram() : scram.build();
    }

    /** The ACLs as of the records replayed so far. */
    public AclsImage acls() {
        return base.acls().apply(addedAcls, removedAcls);
    }

    private SortedMap<String, TopicImage> topicsByName() {
        SortedMap<String, TopicImage> topics = new TreeMap<>(base.topicMap());
        for (Uuid id : removedTopics) {
            base.topic(id).ifPresent(t -> topics.remove(t.name()));
        }
        for (TopicImage t : changedTopics.values()) {
            topics.put(t.name(), t);
        }
        return topics;
    }

    /**
     * The image after this batch, as the entry at {@code offset} of term {@code epoch}. Brokers
     * registered by this batch get {@code offset} as their epoch.
     */
    public MetadataImage apply(long offset, long epoch) {
        if (offset <= base.offset()) {
            throw new IllegalStateException("entry offset " + offset + " is not after the image's offset " + base.offset());
        }
        if (epoch < base.epoch()) {
            throw new IllegalStateException("entry epoch " + epoch + " is below the image's epoch " + base.epoch());
        }
        SortedMap<Integer, BrokerRegistration> allBrokers = new TreeMap<>(base.brokerMap());
        for (BrokerRegistration b : brokers.values()) {
            allBrokers.put(b.id(), b.epoch() == MetadataRecord.EPOCH_OF_ENTRY ? b.withEpoch(offset) : b);
        }
        SortedMap<String, Map<String, String>> configs = new TreeMap<>(base.brokerConfigs());
        changedBrokerConfigs.forEach((name, c) -> {
            if (c.isEmpty()) {
                configs.remove(name);
            } else {
                configs.put(name, Collections.unmodifiableMap(new TreeMap<>(c)));
            }
        });
        return new MetadataImage(offset + 1, offset, epoch, allBrokers, topicsByName(), configs, nextProducerId, acls(), quotas,
                scram());
    }
}
