package org.tributary.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.cp.IAtomicLong;
import com.hazelcast.map.IMap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.apache.kafka.common.Uuid;
import org.tributary.config.ConfigException;
import org.tributary.config.NodeSettings;
import org.tributary.util.AtomicFile;

/**
 * The cluster as seen through Payara's data grid (Hazelcast). Each broker registers under its id
 * in the map {@value #BROKERS}; a registration counts as alive while the grid member that wrote it
 * is a member. The cluster id is agreed once through {@link IMap#putIfAbsent}. Until the
 * controller is elected through the CP subsystem, the broker of the oldest grid member acts as
 * controller. Producer ids and automatically chosen broker ids come from grid-wide atomic counters.
 *
 * <p>Thread-safe.
 */
public final class HazelcastClusterView implements ClusterView, AutoCloseable {
    static final String BROKERS = "tributary.brokers";
    static final String CLUSTER = "tributary.cluster";
    static final String CLUSTER_ID_KEY = "cluster.id";
    /** Automatically chosen broker ids start above any id an operator is likely to configure, as in Kafka. */
    static final long FIRST_AUTO_BROKER_ID = 1001;
    /** The grid's producer-id counter as last seen by this broker, so a full-cluster restart does not count from zero again. */
    static final String PRODUCER_ID_HIGH_WATER = "producer-id-high-water";
    static final String PRODUCER_IDS = "tributary.producerIds";
    private static final Logger LOG = Logger.getLogger(HazelcastClusterView.class.getName());

    private final HazelcastInstance hz;
    private final IMap<Integer, String> brokers;
    private final String clusterId;
    private final BrokerInfo self;
    private final UUID membershipRegistration;
    private final UUID lifecycleRegistration;
    private final Path producerIdHighWater;

    private HazelcastClusterView(HazelcastInstance hz, String clusterId, BrokerInfo self, Path dataDir) {
        this.hz = hz;
        this.producerIdHighWater = dataDir.resolve(PRODUCER_ID_HIGH_WATER);
        this.brokers = hz.getMap(BROKERS);
        this.clusterId = clusterId;
        this.self = self;
        this.membershipRegistration = hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent e) {
                LOG.info(() -> "TRIB-0011 Data-grid member joined: " + e.getMember().getAddress() + "; members now " + e.getMembers().size());
            }

            @Override
            public void memberRemoved(MembershipEvent e) {
                LOG.info(() -> "TRIB-0012 Data-grid member left: " + e.getMember().getAddress() + "; members now " + e.getMembers().size());
            }
        });
        // after a split-brain merge this member has a new identity: register again under it
        this.lifecycleRegistration = hz.getLifecycleService().addLifecycleListener(e -> {
            if (e.getState() == LifecycleEvent.LifecycleState.MERGED) {
                reRegister();
            }
        });
    }

    private void reRegister() {
        try {
            UUID me = hz.getCluster().getLocalMember().getUuid();
            brokers.put(self.id(), new BrokerRecord(self, me).encode());
            LOG.info(() -> "TRIB-0013 Broker " + self.id() + " registered again after rejoining the data grid");
        } catch (RuntimeException ex) {
            LOG.warning(() -> "TRIB-0014 Broker " + self.id() + " could not register again after rejoining the data grid: " + ex);
        }
    }

    /**
     * Chooses the broker id when it was not configured (a grid-wide counter), for a node whose data
     * directory has no identity yet.
     */
    public static int allocateBrokerId(HazelcastInstance hz) {
        IAtomicLong ids = hz.getCPSubsystem().getAtomicLong("tributary.brokerIds");
        long id = FIRST_AUTO_BROKER_ID + ids.getAndIncrement();
        return Math.toIntExact(id);
    }

    /**
     * Agrees on the cluster id: the first broker's (from its meta.properties, or new) wins.
     * A data directory that belongs to another cluster is refused.
     */
    public static String agreeClusterId(HazelcastInstance hz, String proposed) {
        IMap<String, String> cluster = hz.getMap(CLUSTER);
        String candidate = proposed != null ? proposed : Uuid.randomUuid().toString();
        String existing = cluster.putIfAbsent(CLUSTER_ID_KEY, candidate);
        String agreed = existing == null ? candidate : existing;
        if (proposed != null && !proposed.equals(agreed)) {
            throw new ConfigException(NodeSettings.LOG_DIRS, "this data directory belongs to cluster " + proposed
                    + " but the running cluster is " + agreed + "; start this node with an empty data directory or join it to its own cluster");
        }
        return agreed;
    }

    /**
     * Registers this broker. Another live broker with the same id is a configuration error.
     */
    public static HazelcastClusterView register(HazelcastInstance hz, String clusterId, BrokerInfo self, Path dataDir) throws IOException {
        IMap<Integer, String> brokers = hz.getMap(BROKERS);
        UUID me = hz.getCluster().getLocalMember().getUuid();
        Set<UUID> live = liveMembers(hz);
        brokers.lock(self.id());
        try {
            String existing = brokers.get(self.id());
            if (existing != null) {
                BrokerRecord other = BrokerRecord.decode(existing);
                if (!other.member().equals(me) && live.contains(other.member())) {
                    throw new ConfigException(NodeSettings.NODE_ID, self.id(), "is already used by the live broker at "
                            + other.info().host() + ":" + other.info().kafkaPort() + "; give every node its own id and data directory");
                }
            }
            brokers.put(self.id(), new BrokerRecord(self, me).encode());
        } finally {
            brokers.unlock(self.id());
        }
        raiseProducerIdCounter(hz, readHighWater(dataDir.resolve(PRODUCER_ID_HIGH_WATER)));
        int cp = hz.getConfig().getCPSubsystemConfig().getCPMemberCount();
        LOG.info(() -> "TRIB-0010 Data grid '" + hz.getConfig().getClusterName() + "': " + hz.getCluster().getMembers().size()
                + " member(s); " + (cp > 0 ? "CP subsystem on with " + cp + " members (Raft)" : "CP subsystem off (fine for one or two nodes)"));
        return new HazelcastClusterView(hz, clusterId, self, dataDir);
    }

    private static long readHighWater(Path file) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            throw new IOException(file + " is damaged (not a number); delete it only if no producer ids were handed out before", e);
        }
    }

    private static void raiseProducerIdCounter(HazelcastInstance hz, long floor) {
        IAtomicLong next = hz.getCPSubsystem().getAtomicLong(PRODUCER_IDS);
        long current = next.get();
        while (current < floor && !next.compareAndSet(current, floor)) {
            current = next.get();
        }
    }

    @Override
    public String clusterId() {
        return clusterId;
    }

    @Override
    public int localBrokerId() {
        return self.id();
    }

    public BrokerInfo self() {
        return self;
    }

    @Override
    public List<BrokerInfo> liveBrokers() {
        Set<UUID> live = liveMembers(hz);
        List<BrokerInfo> out = new ArrayList<>();
        for (Map.Entry<Integer, String> e : brokers.entrySet()) {
            BrokerRecord r = BrokerRecord.decode(e.getValue());
            if (live.contains(r.member())) {
                out.add(r.info());
            }
        }
        if (out.stream().noneMatch(b -> b.id() == self.id())) {
            out.add(self); // our own registration is always true while we run
        }
        out.sort(Comparator.comparingInt(BrokerInfo::id));
        return out;
    }

    /** Every broker ever registered, with whether it is alive now. */
    public Map<BrokerInfo, Boolean> knownBrokers() {
        Set<UUID> live = liveMembers(hz);
        return brokers.values().stream().map(BrokerRecord::decode)
                .collect(Collectors.toMap(BrokerRecord::info, r -> live.contains(r.member()), (a, b) -> a,
                        () -> new java.util.TreeMap<>(Comparator.comparingInt(BrokerInfo::id))));
    }

    @Override
    public int controllerId() {
        Member oldest = hz.getCluster().getMembers().iterator().next();
        for (String v : brokers.values()) {
            BrokerRecord r = BrokerRecord.decode(v);
            if (r.member().equals(oldest.getUuid())) {
                return r.info().id();
            }
        }
        // the oldest member runs no broker (yet): the lowest live broker id acts
        return liveBrokers().stream().mapToInt(BrokerInfo::id).min().orElse(-1);
    }

    @Override
    public long allocateProducerIds(int count) {
        IAtomicLong next = hz.getCPSubsystem().getAtomicLong(PRODUCER_IDS);
        long first = next.getAndAdd(count);
        try {
            AtomicFile.write(producerIdHighWater, Long.toString(first + count).getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot record the producer id high-water mark in " + producerIdHighWater, e);
        }
        return first;
    }

    /**
     * Stops listening to the grid. The registration stays (a stopped broker is still known, as dead,
     * because its replicas are); it is alive again when the broker re-registers.
     */
    @Override
    public void close() {
        try {
            hz.getCluster().removeMembershipListener(membershipRegistration);
            hz.getLifecycleService().removeLifecycleListener(lifecycleRegistration);
        } catch (RuntimeException e) {
            LOG.fine(() -> "Could not remove the membership listener: " + e);
        }
    }

    private static Set<UUID> liveMembers(HazelcastInstance hz) {
        return hz.getCluster().getMembers().stream().map(Member::getUuid).collect(Collectors.toSet());
    }
}
