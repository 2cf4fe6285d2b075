package org.tributary.replication;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.tributary.controller.AlterPartitionRequest;
import org.tributary.controller.AlterPartitionResponse;
import org.tributary.controller.BrokerHeartbeatRequest;
import org.tributary.controller.BrokerHeartbeatResponse;
import org.tributary.controller.ClusterController;
import org.tributary.controller.ConfigValidator;
import org.tributary.controller.ControllerConfig;
import org.tributary.controller.ControllerResult;
import org.tributary.controller.CreateTopicRequest;
import org.tributary.controller.CreateTopicResponse;
import org.tributary.controller.RegisterBrokerRequest;
import org.tributary.controller.RegisterBrokerResponse;
import org.tributary.log.FetchSlice;
import org.tributary.log.LogConfig;
import org.tributary.log.LogCrash;
import org.tributary.log.PartitionLog;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataCodec;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.metadata.TopicImage;
import org.tributary.partition.IsrChange;
import org.tributary.partition.Partition;
import org.tributary.testing.FakeTime;

/**
 * One partition replicated over simulated brokers in one thread, with injected time and a
 * simulated network, driving the real code: {@link Partition} (leader and follower sides) over real
 * {@link PartitionLog}s on disk, the follower's rules in {@link ReplicaFetcher#applyAnswer}, and the
 * real {@link ClusterController} deciding leaders and ISRs, its committed entries applied by each
 * broker in log order at its own pace.
 *
 * <p>Re-implemented here, as thin as possible: the message passing of the replica fetcher (one
 * fetch in flight per follower, a timeout, a back-off), the leader's answer to a follower fetch
 * (as {@code FetchHandler} does for a replica: record the fetch, answer a divergence, read up to
 * the log end, or park a caught-up fetch and read again later), the ISR-change sender (one
 * AlterPartition in flight per broker, an error answer on timeout), the broker lifecycle
 * (register, heartbeat, admitted once unfenced, controlled shutdown) and the replica manager's
 * handling of metadata for this one partition.
 *
 * <p>Faults: lost, slow and reordered messages (a broker's AlterPartition requests stay in order),
 * isolated brokers, metadata that lags, clock jumps, crashes (kill -9: the log is reopened from
 * disk with what the process had written; a power loss, losing unflushed writes, is not
 * simulated), clean stops, controlled shutdowns, preferred elections and controller failovers
 * (the metadata quorum itself commits every entry at once). Unclean leader election stays
 * disabled. Not thread-safe.
 */
final class ReplicationSim implements AutoCloseable {
    static final String TOPIC = "sim";
    static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    static final long SESSION_MS = 4_000;
    static final long MAX_LAG_MS = 3_000;
    static final long HEARTBEAT_MS = 1_000;
    static final long FETCH_TIMEOUT_MS = 2_500;
    static final long FETCH_BACKOFF_MS = 300;
    static final long ISR_TIMEOUT_MS = 3_000;
    static final long PRODUCE_TIMEOUT_MS = 3_000;
    static final long SHUTDOWN_TIMEOUT_MS = 6_000;

    /** How a run is set up: brokers 1..n, the partition's replicas (first = preferred leader), min.insync.replicas. */
    record Setup(int brokers, List<Integer> replicas, int minIsr, int segmentBytes, double loss, double slow, int plainProducers,
            int idempotentProducers) {
        static Setup random(Random r) {
            List<Integer> replicas = new ArrayList<>(List.of(1, 2, 3));
            Collections.shuffle(replicas, r);
            double loss = r.nextInt(4) == 0 ? 0.0 : 0.01 + r.nextDouble() * 0.08;
            return new Setup(3, replicas, r.nextInt(3) == 0 ? 1 : 2, 400 + r.nextInt(2500), loss, 0.02 + r.nextDouble() * 0.06,
                    1, 1 + r.nextInt(2));
        }

        /** No faults beyond what a script does. */
        static Setup scripted(int brokers, List<Integer> replicas, int minIsr) {
            return new Setup(brokers, replicas, minIsr, 1_000, 0.0, 0.0, 1, 1);
        }
    }

    /** A follower's fetcher for the partition: re-created (so in-flight answers are dropped) whenever it is re-pointed. */
    static final class FetchTarget {
        final Partition partition;
        final int leaderId;
        final int leaderEpoch;
        long backoffUntilMs;
        FetchCall inFlight;

        FetchTarget(Partition partition, int leaderId, int leaderEpoch) {
            this.partition = partition;
            this.leaderId = leaderId;
            this.leaderEpoch = leaderEpoch;
        }
    }

    /** One follower fetch as sent (the replica form of Fetch: replica id and epoch, KIP-320 fields). */
    record FetchCall(SimBroker follower, Uuid followerIncarnation, FetchTarget target, SimBroker leader, Uuid leaderIncarnation,
            long replicaEpoch, long fetchOffset, int lastFetchedEpoch, int currentLeaderEpoch, int maxBytes, long sentMs) {
    }

    /** One AlterPartition request of a broker's ISR-change sender. */
    static final class AlterCall {
        final SimBroker broker;
        final Uuid incarnation;
        final List<IsrChange> changes;
        final long brokerEpoch;
        final long sentMs;
        boolean answered;

        AlterCall(SimBroker broker, List<IsrChange> changes, long sentMs) {
            this.broker = broker;
            this.incarnation = broker.incarnation;
            this.changes = List.copyOf(changes);
            this.brokerEpoch = broker.brokerEpoch;
            this.sentMs = sentMs;
        }
    }

    /** A message on the simulated network. */
    sealed interface Msg permits FetchReq, ParkedFetch, FetchResp, AlterReq, AlterResp {
    }

    record FetchReq(FetchCall call) implements Msg {
    }

    /** A caught-up fetch waiting at the leader (the fetch purgatory); answered by a second read. */
    record ParkedFetch(FetchCall call) implements Msg {
    }

    record FetchResp(FetchCall call, FetchResponseData.PartitionData data) implements Msg {
    }

    record AlterReq(AlterCall call) implements Msg {
    }

    record AlterResp(AlterCall call, AlterPartitionResponse response) implements Msg {
    }

    /** A message in flight; a slow one rarely arrives in a tick. */
    static final class InFlight {
        final Msg msg;
        boolean slow;

        InFlight(Msg msg, boolean slow) {
            this.msg = msg;
            this.slow = slow;
        }
    }

    /** A producer: plain (producer id -1, every attempt new values) or idempotent (one batch in flight, retried as is). */
    static final class SimProducer {
        final String name;
        final long producerId;
        int nextSequence;
        int counter;
        Batch current;
        Attempt pending;
        Batch lastAcked;
        long lastAckedFirstOffset = -1;

        SimProducer(String name, long producerId) {
            this.name = name;
            this.producerId = producerId;
        }

        boolean idempotent() {
            return producerId >= 0;
        }

        Batch next(Random random) {
            List<String> values = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                values.add(name + "-" + counter++);
            }
            return new Batch(this, idempotent() ? nextSequence : -1, values, random.nextInt(120));
        }

        @Override
        public String toString() {
            return "producer " + name;
        }
    }

    /** One batch as a client builds it (base offset 0; the leader assigns offsets). */
    static final class Batch {
        final SimProducer producer;
        final int baseSequence;
        final List<String> values;
        final int padding;
        boolean appendedOnce;

        Batch(SimProducer producer, int baseSequence, List<String> values, int padding) {
            this.producer = producer;
            this.baseSequence = baseSequence;
            this.values = List.copyOf(values);
            this.padding = padding;
        }

        /** A fresh buffer each attempt: the leader writes offsets and its epoch into it. */
        MemoryRecords build(long timestamp) {
            ByteBuffer buf = ByteBuffer.allocate(512 + padding * values.size() + 64 * values.size());
            MemoryRecordsBuilder b = producer.idempotent()
                    ? MemoryRecords.builder(buf, RecordBatch.MAGIC_VALUE_V2, Compression.NONE, TimestampType.CREATE_TIME, 0L,
                            RecordBatch.NO_TIMESTAMP, producer.producerId, (short) 0, baseSequence, false,
                            RecordBatch.NO_PARTITION_LEADER_EPOCH)
                    : MemoryRecords.builder(buf, Compression.NONE, TimestampType.CREATE_TIME, 0L);
            byte[] key = new byte[padding];
            for (String v : values) {
                b.append(timestamp, key, v.getBytes(StandardCharsets.UTF_8));
            }
            return b.build();
        }

        @Override
        public String toString() {
            return values + (producer.idempotent() ? " (producer " + producer.producerId + " seq " + baseSequence + ")" : "");
        }
    }

    /** A produce appended by a leader and waiting for acks=all. */
    record Attempt(Batch batch, SimBroker broker, Uuid incarnation, Partition partition, long firstOffset, long lastOffset, int epoch,
            boolean duplicate, long sentMs) {
    }

    final long seed;
    final Random random;
    final Setup setup;
    final FakeTime time = new FakeTime(1_000_000);
    final Map<Integer, SimBroker> brokers = new TreeMap<>();
    final List<SimProducer> producers = new ArrayList<>();
    final List<MetadataImage> images = new ArrayList<>();
    final List<InFlight> network = new ArrayList<>();
    final Map<String, Integer> outcomes = new TreeMap<>();
    private final Set<IsrChange> sentIsrChanges = Collections.newSetFromMap(new IdentityHashMap<>());
    final ArrayDeque<String> trace = new ArrayDeque<>();
    final SafetyChecker checker;
    MetadataImage image = MetadataImage.EMPTY;
    ClusterController controller;
    long term = 1;
    Uuid topicId;
    /** Random faults (loss, slowness, parked fetches, lost acks): off while settling and in scripted scenarios. */
    boolean faults;
    boolean producing = true;
    long nextFenceCheckMs;
    int step;

    ReplicationSim(long seed, Path root, Setup setup, boolean faults) throws IOException {
        this.seed = seed;
        this.random = new Random(seed);
        this.setup = setup;
        this.faults = faults;
        for (int id = 1; id <= setup.brokers(); id++) {
            Path dir = root.resolve("broker-" + id);
            Files.createDirectories(dir);
            SimBroker b = new SimBroker(id, dir);
            b.metadataPace = 0.4 + random.nextDouble() * 0.5;
            brokers.put(id, b);
        }
        for (int i = 0; i < setup.plainProducers(); i++) {
            producers.add(new SimProducer("p" + i, -1L));
        }
        for (int i = 0; i < setup.idempotentProducers(); i++) {
            producers.add(new SimProducer("i" + i, 1000L + i));
        }
        this.checker = new SafetyChecker(this);
        electController();
    }

    // ------------------------------------------------------------------ controller

    private void electController() {
        controller = new ClusterController(new ControllerConfig(SESSION_MS, 1, (short) 1, 100), ConfigValidator.ACCEPT_ALL,
                () -> new Uuid(random.nextLong(), random.nextLong()), time.milliseconds());
        commit(new ControllerResult<>(ClusterController.activationRecords(), null));
    }

    /** Appends the result's records as one entry, committed at once (the metadata quorum is not what is tested here). */
    <T> T commit(ControllerResult<T> r) {
        if (!r.records().isEmpty()) {
            List<MetadataRecord> batch = MetadataCodec.decode(MetadataCodec.encode(r.records()));
            image = MetadataDelta.apply(image, batch, image.offset() + 1, term);
            images.add(image);
        }
        return r.response();
    }

    PartitionRegistration registration() {
        return image.topic(TOPIC).map(t -> t.partition(0)).orElse(null);
    }

    void failover() {
        term++;
        note("controller failover");
        count("controller failover");
        electController();
    }

    void electPreferred() {
        Map<TopicPartition, ?> r = commit(controller.electLeaders(image, ElectionType.PREFERRED, List.of(TP)));
        note("preferred election: " + r.get(TP) + " -> " + registration());
        count("preferred election " + String.valueOf(r.get(TP)).split(":")[0]);
    }

    private void fenceExpired() {
        List<Integer> fenced = commit(controller.fenceExpiredBrokers(image, time.milliseconds()));
        if (!fenced.isEmpty()) {
            note("controller fenced expired " + fenced + " -> " + registration());
            count("session expired");
        }
    }

    /** The grid reports the broker's member gone. */
    void brokerLeft(int id, Uuid incarnation) {
        commit(controller.brokerLeft(image, id, incarnation, time.milliseconds()));
        note("broker " + id + " left the grid -> " + registration());
        count("broker left");
    }

    // ------------------------------------------------------------------ broker lifecycle

    /** Starts all brokers, admits them and creates the topic; every broker then opens its replica. */
    void bootstrap() throws IOException {
        for (SimBroker b : brokers.values()) {
            start(b);
            register(b, false);
        }
        for (SimBroker b : brokers.values()) {
            catchUp(b);
            heartbeat(b, false);
        }
        Map<String, String> configs = Map.of("min.insync.replicas", Integer.toString(setup.minIsr()), "segment.bytes",
                Integer.toString(setup.segmentBytes()));
        CreateTopicResponse r = commit(controller.createTopic(image, new CreateTopicRequest(TOPIC, -1, (short) -1,
                List.of(setup.replicas()), configs)));
        if (!r.error().isSuccess()) {
            throw new IllegalStateException("cannot create the topic: " + r.error());
        }
        topicId = r.topicId();
        for (SimBroker b : brokers.values()) {
            catchUp(b);
        }
        note("bootstrapped: " + registration());
        checker.check();
    }

    /** A new process of the broker: registers (with a new incarnation) at its next heartbeat. */
    void start(SimBroker b) {
        b.up = true;
        b.incarnation = new Uuid(random.nextLong(), random.nextLong());
        b.nextHeartbeatMs = time.milliseconds();
        note("broker " + b.id + " starts");
    }

    /** kill -9: the process state is gone; the log keeps what was written. */
    void crash(SimBroker b) throws IOException {
        Uuid incarnation = b.incarnation;
        if (b.log != null) {
            LogCrash.crash(b.log);
        }
        b.forgetProcess();
        note("broker " + b.id + " crashes");
        count("crash");
        if (faults && random.nextBoolean()) {
            brokerLeft(b.id, incarnation);
        }
    }

    /** A clean stop (after a controlled shutdown): the producer state snapshot is written and the log closed. */
    void stop(SimBroker b, String why) throws IOException {
        if (b.partition != null) {
            b.partition.snapshotProducerState();
        }
        if (b.log != null) {
            b.log.close();
        }
        b.forgetProcess();
        note("broker " + b.id + " stops: " + why);
        count("clean stop");
    }

    private boolean lost() {
        return faults && random.nextDouble() < setup.loss();
    }

    void register(SimBroker b, boolean lossy) {
        if (lossy && (b.isolated(time.milliseconds()) || lost())) {
            return;
        }
        RegisterBrokerResponse r = commit(controller.registerBroker(image, new RegisterBrokerRequest(b.id, b.incarnation, "host", 9092,
                8080, null, false), time.milliseconds()));
        count("register " + r.error().error());
        if (lossy && lost()) {
            return; // the answer is lost: registers again (same incarnation) at the next tick
        }
        if (r.error().isSuccess()) {
            b.registered = true;
            b.brokerEpoch = r.epochIn(image);
            note("broker " + b.id + " registered, epoch " + b.brokerEpoch + " -> " + registration());
        }
    }

    void heartbeat(SimBroker b, boolean lossy) throws IOException {
        long now = time.milliseconds();
        if (!b.registered) {
            register(b, lossy);
            if (!b.registered) {
                return;
            }
        }
        if (lossy && (b.isolated(now) || lost())) {
            return;
        }
        BrokerHeartbeatResponse r = commit(controller.heartbeat(image, new BrokerHeartbeatRequest(b.id, b.brokerEpoch, b.image.offset(),
                false, b.wantShutdown), now));
        if (lossy && lost()) {
            return;
        }
        if (r.error().error() == Errors.STALE_BROKER_EPOCH) {
            note("broker " + b.id + " must register again");
            b.registered = false;
            return;
        }
        if (b.wantShutdown) {
            if (r.shouldShutDown()) {
                stop(b, "controlled shutdown granted");
            }
            return;
        }
        if (!r.fenced() && !b.serving) {
            b.serving = true;
            note("broker " + b.id + " admitted (unfenced), opens its replica");
            count("admitted");
            acceptImage(b);
        }
    }

    /** Scripts: starts the broker if it is down and runs its heartbeats until the controller admits it; its metadata caught up. */
    void admit(SimBroker b) throws IOException {
        if (!b.up) {
            start(b);
        }
        for (int i = 0; i < 10 && !b.serving; i++) {
            catchUp(b);
            heartbeat(b, false);
        }
        if (!b.serving) {
            throw new IllegalStateException("broker " + b.id + " was not admitted" + describe());
        }
        catchUp(b);
        checker.check();
    }

    void controlledShutdown(SimBroker b) {
        b.wantShutdown = true;
        b.shutdownRequestedMs = time.milliseconds();
        b.nextHeartbeatMs = time.milliseconds();
        note("broker " + b.id + " asks for a controlled shutdown");
        count("controlled shutdown");
    }

    // ------------------------------------------------------------------ metadata on the brokers

    /** Applies every committed entry on the broker. */
    void catchUp(SimBroker b) throws IOException {
        while (b.applied < images.size()) {
            applyNext(b);
        }
    }

    private void applyNext(SimBroker b) throws IOException {
        b.image = images.get(b.applied++);
        if (b.serving) {
            acceptImage(b);
        }
    }

    /** The replica manager's handling of a new image for this partition ({@code ReplicaManager.accept}). */
    private void acceptImage(SimBroker b) throws IOException {
        TopicImage t = b.image.topic(TOPIC).orElse(null);
        if (t == null || t == b.appliedTopic) {
            return;
        }
        TopicImage previous = b.appliedTopic;
        b.appliedTopic = t;
        List<Integer> replicas = t.replicas(0);
        if (!replicas.contains(b.id)) {
            return;
        }
        LogConfig config = LogConfig.from(Map.of(), t.configs());
        if (b.partition == null) {
            Files.createDirectories(b.snapshotDir);
            b.log = PartitionLog.open(b.logDir, config, time);
            b.partition = Partition.open(TP, t.id(), b.log, b.snapshotDir.resolve(TOPIC + "-0-" + t.id() + ".snapshot"), b.id, replicas);
            b.mirror.reload(b.log);
        } else if (previous == null || !t.configs().equals(previous.configs())) {
            b.log.updateConfig(config);
        }
        PartitionRegistration reg = t.partition(0);
        Partition.Transition tr = b.partition.update(reg, time.milliseconds());
        switch (tr) {
            case BECAME_FOLLOWER -> b.target = new FetchTarget(b.partition, b.partition.leader(), b.partition.leaderEpoch());
            case BECAME_LEADER, WENT_OFFLINE -> b.target = null;
            default -> {
            }
        }
        if (tr != Partition.Transition.NONE) {
            note("broker " + b.id + " " + tr + " at " + reg);
            count("transition " + tr);
        }
    }

    // ------------------------------------------------------------------ the network

    private void send(Msg m, SimBroker from, SimBroker to) {
        long now = time.milliseconds();
        if ((from != null && from.isolated(now)) || (to != null && to.isolated(now)) || lost()) {
            count("message lost");
            return;
        }
        network.add(new InFlight(m, faults && random.nextDouble() < setup.slow()));
    }

    /**
     * Each message arrives this tick with some chance (a slow one rarely): messages overtake each
     * other, except a broker's AlterPartition requests, which reach the controller in the order
     * they were sent (Kafka's assumption too: an answer refusing a request as it stands then also
     * settles the earlier tries of the same change).
     */
    private void deliverSome() throws IOException {
        Set<SimBroker> alterQueued = Collections.newSetFromMap(new IdentityHashMap<>());
        for (InFlight f : List.copyOf(network)) {
            if (f.msg instanceof AlterReq a && !alterQueued.add(a.call().broker)) {
                continue;
            }
            if (random.nextDouble() < (f.slow ? 0.03 : 0.5)) {
                network.remove(f);
                deliver(f.msg);
            }
        }
    }

    /** Delivers everything in order, also what the deliveries send, except what {@code drop} says is lost. */
    void deliverAll(Predicate<Msg> drop) throws IOException {
        deliverAll(drop, m -> false);
    }

    /** As {@link #deliverAll(Predicate)}, leaving on the network (delayed) what {@code hold} says. */
    void deliverAll(Predicate<Msg> drop, Predicate<Msg> hold) throws IOException {
        List<InFlight> held = new ArrayList<>();
        for (int n = 0; !network.isEmpty(); n++) {
            if (n > 10_000) {
                throw new IllegalStateException("the network does not drain");
            }
            InFlight f = network.remove(0);
            if (hold.test(f.msg)) {
                held.add(f);
            } else if (!drop.test(f.msg)) {
                deliver(f.msg);
            }
        }
        network.addAll(held);
    }

    private void deliver(Msg m) throws IOException {
        if (m instanceof FetchReq r) {
            deliverFetch(r.call());
        } else if (m instanceof ParkedFetch p) {
            SimBroker leader = p.call().leader();
            if (leader.up && Objects.equals(leader.incarnation, p.call().leaderIncarnation())) {
                send(new FetchResp(p.call(), leaderRead(leader, p.call(), false)), leader, p.call().follower());
            }
        } else if (m instanceof FetchResp r) {
            applyFetch(r.call(), r.data());
        } else if (m instanceof AlterReq a) {
            if (a.call().broker.isolated(time.milliseconds())) {
                return;
            }
            AlterPartitionResponse resp = commit(controller.alterPartition(image, alterRequest(a.call())));
            note("alterPartition from " + a.call().broker.id + " " + a.call().changes.stream().map(IsrChange::brokerIds).toList() + ": "
                    + resp.error() + " " + resp.partitions().stream().map(p -> p.error().error().name()).toList() + " -> "
                    + registration());
            send(new AlterResp(a.call(), resp), null, a.call().broker);
        } else if (m instanceof AlterResp r) {
            AlterCall call = r.call();
            SimBroker b = call.broker;
            if (b.up && Objects.equals(b.incarnation, call.incarnation) && !call.answered && !b.isolated(time.milliseconds())) {
                call.answered = true;
                b.isrInFlight = null;
                answerIsrChanges(b, call, r.response());
                maybeSendIsr(b);
            }
        }
    }

    // ------------------------------------------------------------------ follower fetches

    /** The fetcher sends one fetch for the partition (ReplicaFetcher.fetchOnce for one target). */
    void sendFetch(SimBroker f) {
        FetchTarget t = f.target;
        long now = time.milliseconds();
        BrokerRegistration lb = f.image.broker(t.leaderId).orElse(null);
        if (lb == null || lb.fenced()) {
            t.backoffUntilMs = now + FETCH_BACKOFF_MS; // no address for the leader
            return;
        }
        SimBroker leader = brokers.get(t.leaderId);
        int maxBytes = random.nextBoolean() ? 1_048_576 : 60 + random.nextInt(1500);
        FetchCall c = new FetchCall(f, f.incarnation, t, leader, leader.incarnation, f.brokerEpoch, t.partition.logEndOffset(),
                t.partition.lastFetchedEpoch(), t.leaderEpoch, maxBytes, now);
        if (!leader.up || !leader.serving) {
            t.backoffUntilMs = now + FETCH_BACKOFF_MS; // connection refused
            count("fetch refused");
            return;
        }
        t.inFlight = c;
        send(new FetchReq(c), f, leader);
    }

    /** Scripts: one fetch of the follower, delivered at once; its answer lost when {@code loseAnswer}. */
    void fetchOnce(SimBroker f, boolean loseAnswer) throws IOException {
        if (f.target == null) {
            throw new IllegalStateException("broker " + f.id + " follows no leader" + describe());
        }
        f.target.inFlight = null;
        f.target.backoffUntilMs = 0;
        sendFetch(f);
        deliverAll(m -> loseAnswer && m instanceof FetchResp);
        checker.check();
    }

    private void deliverFetch(FetchCall c) {
        SimBroker leader = c.leader();
        long now = time.milliseconds();
        if (leader.isolated(now) || c.follower().isolated(now)) {
            count("message lost");
            return;
        }
        if (!leader.up || !Objects.equals(leader.incarnation, c.leaderIncarnation())) {
            FetchTarget t = c.target();
            if (c.follower().target == t && t.inFlight == c) { // the connection broke
                t.inFlight = null;
                t.backoffUntilMs = now + FETCH_BACKOFF_MS;
            }
            return;
        }
        FetchResponseData.PartitionData pd = leaderRead(leader, c, true);
        if (pd == null) {
            network.add(new InFlight(new ParkedFetch(c), random.nextInt(3) == 0));
            count("fetch parked");
        } else {
            send(new FetchResp(c, pd), leader, c.follower());
        }
    }

    /**
     * The leader's answer to a follower fetch, as FetchHandler reads for a replica: the first read
     * ({@code record}) records the fetch (which may move the high watermark or propose an ISR
     * addition) or answers a divergence; records are read up to the log end. Null: the fetch is
     * caught up and waits (it is read again, without recording, when it completes).
     */
    FetchResponseData.PartitionData leaderRead(SimBroker leader, FetchCall c, boolean record) {
        FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData().setPartitionIndex(0).setHighWatermark(-1)
                .setLastStableOffset(-1).setLogStartOffset(-1).setPreferredReadReplica(-1).setRecords(MemoryRecords.EMPTY);
        Partition p = leader.partition;
        if (p == null || !p.isLeader()) {
            count("fetch answer NOT_LEADER_OR_FOLLOWER");
            return pd.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code());
        }
        Errors epochError = c.currentLeaderEpoch() < 0 || c.currentLeaderEpoch() == p.leaderEpoch() ? Errors.NONE
                : c.currentLeaderEpoch() < p.leaderEpoch() ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
        if (record && epochError == Errors.NONE) {
            Partition.FollowerFetch ff = p.onFollowerFetch(c.follower().id, c.replicaEpoch(), c.fetchOffset(), c.lastFetchedEpoch(),
                    c.currentLeaderEpoch(), time.milliseconds(), leader::eligible, leader.brokerEpoch);
            if (ff.isrChange() != null) {
                note("leader " + leader.id + " proposes ISR " + ff.isrChange().brokerIds());
                proposeIsr(leader, ff.isrChange());
            }
            epochError = ff.error();
            if (ff.diverged()) {
                count("fetch answer diverging");
                return pd.setDivergingEpoch(new FetchResponseData.EpochEndOffset().setEpoch(ff.divergingEpoch())
                        .setEndOffset(ff.divergingEndOffset())).setHighWatermark(p.highWatermark())
                        .setLastStableOffset(p.lastStableOffset()).setLogStartOffset(p.log().logStartOffset());
            }
        }
        long logStart = p.log().logStartOffset();
        pd.setHighWatermark(p.highWatermark()).setLastStableOffset(p.lastStableOffset()).setLogStartOffset(logStart);
        if (epochError != Errors.NONE) {
            count("fetch answer " + epochError);
            return pd.setErrorCode(epochError.code());
        }
        long limit = p.log().logEndOffset();
        if (c.fetchOffset() == limit && c.fetchOffset() >= logStart) {
            return record && faults && random.nextInt(3) == 0 ? null : pd;
        }
        try {
            FetchSlice slice = p.log().read(c.fetchOffset(), c.maxBytes(), limit, true);
            pd.setRecords(inMemory(slice.records())).setLogStartOffset(slice.logStartOffset());
        } catch (ApiException e) {
            count("fetch answer " + Errors.forException(e));
            pd.setErrorCode(Errors.forException(e).code());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pd;
    }

    /** What the follower receives: the bytes of the slice (the last batch may be cut by maxBytes). */
    private static MemoryRecords inMemory(Records records) throws IOException {
        if (records instanceof MemoryRecords m) {
            return m;
        }
        FileRecords file = (FileRecords) records;
        ByteBuffer buf = ByteBuffer.allocate(file.sizeInBytes());
        file.readInto(buf, 0);
        buf.rewind();
        return MemoryRecords.readableRecords(buf);
    }

    /** The fetcher applies an answer ({@code ReplicaFetcher.apply}): dropped unless it answers the fetch in flight now. */
    private void applyFetch(FetchCall c, FetchResponseData.PartitionData pd) throws IOException {
        SimBroker f = c.follower();
        FetchTarget t = f.target;
        if (!f.up || !Objects.equals(f.incarnation, c.followerIncarnation()) || f.isolated(time.milliseconds()) || t != c.target()
                || t.inFlight != c) {
            return;
        }
        t.inFlight = null;
        long before = t.partition.logEndOffset();
        boolean ok;
        try {
            ok = FollowerApply.applyAnswer(t.partition, t.leaderId, t.leaderEpoch, c.fetchOffset(), pd);
        } catch (NotLeaderOrFollowerException e) {
            ok = false;
            count("fetch apply refused");
        }
        if (!ok) {
            t.backoffUntilMs = time.milliseconds() + FETCH_BACKOFF_MS;
        }
        boolean diverged = pd.divergingEpoch() != null && (pd.divergingEpoch().epoch() >= 0 || pd.divergingEpoch().endOffset() >= 0);
        if (diverged || pd.errorCode() == Errors.OFFSET_OUT_OF_RANGE.code()) {
            f.mirror.reload(f.log);
            if (t.partition.logEndOffset() < before) {
                note("broker " + f.id + " truncated from " + before + " to " + t.partition.logEndOffset() + " (leader " + t.leaderId
                        + " said epoch " + pd.divergingEpoch().epoch() + " ends at " + pd.divergingEpoch().endOffset() + ", error "
                        + Errors.forCode(pd.errorCode()) + ")");
                count("follower truncated");
            }
        } else {
            f.mirror.readTail(f.log);
        }
    }

    // ------------------------------------------------------------------ ISR changes

    private void proposeIsr(SimBroker leader, IsrChange change) {
        leader.isrQueue.add(change);
        maybeSendIsr(leader);
    }

    private void maybeSendIsr(SimBroker b) {
        if (b.isrInFlight == null && !b.isrQueue.isEmpty()) {
            for (IsrChange c : b.isrQueue) {
                if (!sentIsrChanges.add(c)) {
                    count("isr change sent again");
                }
            }
            AlterCall a = new AlterCall(b, new ArrayList<>(b.isrQueue), time.milliseconds());
            b.isrQueue.clear();
            b.isrInFlight = a;
            send(new AlterReq(a), b, null);
        }
    }

    private static AlterPartitionRequest alterRequest(AlterCall a) {
        List<AlterPartitionRequest.PartitionIsr> parts = new ArrayList<>();
        for (IsrChange c : a.changes) {
            parts.add(new AlterPartitionRequest.PartitionIsr(c.topicId(), c.topicPartition().partition(), c.leaderEpoch(),
                    c.partitionEpoch(), c.newIsr().stream().map(m -> new AlterPartitionRequest.IsrMember(m.brokerId(), m.brokerEpoch()))
                            .toList()));
        }
        return new AlterPartitionRequest(a.broker.id, a.brokerEpoch, parts);
    }

    /** As IsrChangeSender.deliver: each change's answer goes to the broker's partition. */
    private void answerIsrChanges(SimBroker b, AlterCall a, AlterPartitionResponse resp) {
        Errors top = resp.error().error();
        for (IsrChange c : a.changes) {
            if (top != Errors.NONE) {
                answer(b, c, top, -1, List.of(), -1);
                continue;
            }
            AlterPartitionResponse.PartitionResult found = null;
            for (AlterPartitionResponse.PartitionResult p : resp.partitions()) {
                if (p.topicId().equals(c.topicId()) && p.partition() == c.topicPartition().partition()) {
                    found = p;
                }
            }
            if (found == null) {
                answer(b, c, Errors.UNKNOWN_SERVER_ERROR, -1, List.of(), -1);
            } else {
                PartitionRegistration reg = found.registration();
                answer(b, c, found.error().error(), reg == null ? 0 : reg.leaderEpoch(), reg == null ? List.of() : reg.isr(),
                        reg == null ? 0 : reg.partitionEpoch());
            }
        }
    }

    private void answer(SimBroker b, IsrChange c, Errors error, int leaderEpoch, List<Integer> isr, int partitionEpoch) {
        Partition p = b.partition;
        count("isr change answered " + error);
        if (p != null && p.topicId().equals(c.topicId())) {
            p.onIsrChangeAnswered(c, error, leaderEpoch, isr, partitionEpoch);
        }
    }

    void shrinkCheck(SimBroker b) {
        IsrChange c = b.partition.maybeShrinkIsr(time.milliseconds(), MAX_LAG_MS, b.brokerEpoch);
        if (c != null) {
            note("leader " + b.id + " proposes to shrink ISR " + b.partition.isr() + " to " + c.brokerIds());
            count("isr shrink proposed");
            proposeIsr(b, c);
        }
    }

    // ------------------------------------------------------------------ producers

    void produce(SimProducer pr) throws IOException {
        if (pr.pending != null) {
            pollAck(pr);
            return;
        }
        if (!producing) {
            return;
        }
        List<SimBroker> leaders = new ArrayList<>();
        List<SimBroker> any = new ArrayList<>();
        for (SimBroker b : brokers.values()) {
            if (b.partition != null) {
                any.add(b);
                if (b.partition.isLeader()) {
                    leaders.add(b);
                }
            }
        }
        SimBroker to = !leaders.isEmpty() && random.nextInt(8) > 0 ? pick(leaders) : any.isEmpty() ? null : pick(any);
        if (to != null) {
            if (pr.current == null) {
                pr.current = pr.next(random);
            }
            send(pr, to);
        }
    }

    /** One produce with acks=all to {@code to}; the answer comes when the high watermark covers it ({@link #pollAck}). */
    Attempt send(SimProducer pr, SimBroker to) throws IOException {
        Batch b = pr.current;
        Partition.AppendResult r;
        try {
            r = to.partition.appendAsLeader(b.build(time.milliseconds()), (short) -1);
        } catch (NotLeaderOrFollowerException e) {
            count("produce NOT_LEADER_OR_FOLLOWER");
            failed(pr);
            return null;
        } catch (NotEnoughReplicasException e) {
            count("produce NOT_ENOUGH_REPLICAS");
            failed(pr);
            return null;
        } catch (ApiException e) {
            throw new AssertionError("produce of " + b + " to broker " + to.id + " (" + to.partition + ") failed: " + e, e);
        }
        to.mirror.readTail(to.log);
        boolean zombie = !registrationLeads(to, r.leaderEpoch());
        note(pr + " " + (r.duplicate() ? "retried (duplicate) " : "appended ") + b + " at " + r.firstOffset() + ".." + r.lastOffset()
                + " on broker " + to.id + " epoch " + r.leaderEpoch() + (zombie ? " (a stale leader)" : ""));
        count(r.duplicate() ? "produce duplicate" : b.appendedOnce ? "produce appended again after a lost attempt" : "produce appended");
        if (zombie) {
            count("produce to a stale leader");
        }
        checker.appended(to, b, r);
        b.appendedOnce |= !r.duplicate();
        pr.pending = new Attempt(b, to, to.incarnation, to.partition, r.firstOffset(), r.lastOffset(), r.leaderEpoch(), r.duplicate(),
                time.milliseconds());
        return pr.pending;
    }

    private boolean registrationLeads(SimBroker b, int epoch) {
        PartitionRegistration reg = registration();
        return reg != null && reg.leader() == b.id && reg.leaderEpoch() == epoch;
    }

    /** The acks=all wait (ProduceHandler's DelayedProduce): answered once the leader's state says so, or timed out. */
    Errors pollAck(SimProducer pr) {
        Attempt a = pr.pending;
        if (!a.broker().up || !Objects.equals(a.broker().incarnation, a.incarnation()) || a.broker().partition != a.partition()) {
            pr.pending = null;
            count("produce lost with its broker");
            failed(pr);
            return null;
        }
        Errors s = a.partition().acksAllState(a.lastOffset() + 1, a.epoch());
        if (s == null) {
            if (time.milliseconds() - a.sentMs() > PRODUCE_TIMEOUT_MS) {
                pr.pending = null;
                count("produce REQUEST_TIMED_OUT");
                failed(pr);
            }
            return null;
        }
        pr.pending = null;
        count("produce answered " + s);
        note(pr + " answered " + s + " for " + a.batch() + " at " + a.firstOffset() + ".." + a.lastOffset() + " by broker " + a.broker().id);
        if (s != Errors.NONE) {
            failed(pr);
            return s;
        }
        checker.acked(a);
        if (pr.idempotent() && faults && random.nextInt(6) == 0) {
            count("produce ack lost");
            return s; // the client did not get it: it sends the batch again
        }
        if (pr.idempotent()) {
            pr.nextSequence += a.batch().values.size();
            pr.lastAcked = a.batch();
            pr.lastAckedFirstOffset = a.firstOffset();
        }
        pr.current = null;
        return s;
    }

    private static void failed(SimProducer pr) {
        if (!pr.idempotent()) {
            pr.current = null; // a plain producer sends new records rather than risking duplicates
        }
    }

    // ------------------------------------------------------------------ the random run

    /** One step: time passes, the periodic work of every process runs, messages arrive, then one random event. */
    void step() throws IOException {
        step++;
        time.advance(random.nextInt(120));
        tick();
        event();
        checker.check();
    }

    private void tick() throws IOException {
        long now = time.milliseconds();
        for (SimBroker b : brokers.values()) {
            if (!b.up) {
                continue;
            }
            timeouts(b);
            if (b.wantShutdown && now - b.shutdownRequestedMs > SHUTDOWN_TIMEOUT_MS) {
                stop(b, "no go-ahead for the controlled shutdown in time");
                continue;
            }
            if (now >= b.nextHeartbeatMs) {
                b.nextHeartbeatMs = now + HEARTBEAT_MS;
                heartbeat(b, true);
                if (!b.up) {
                    continue;
                }
            }
            if (now >= b.metadataStalledUntilMs) {
                while (b.applied < images.size() && random.nextDouble() < b.metadataPace) {
                    applyNext(b);
                }
            }
            if (b.partition != null && b.partition.isLeader() && now >= b.nextIsrCheckMs) {
                b.nextIsrCheckMs = now + MAX_LAG_MS / 2;
                shrinkCheck(b);
            }
            FetchTarget t = b.target;
            if (t != null && t.inFlight == null && now >= t.backoffUntilMs && random.nextInt(3) > 0) {
                sendFetch(b);
            }
        }
        if (now >= nextFenceCheckMs) {
            nextFenceCheckMs = now + 1_000;
            fenceExpired();
        }
        deliverSome();
    }

    /** The fetch and the AlterPartition request in flight give up after their timeouts. */
    void timeouts(SimBroker b) {
        long now = time.milliseconds();
        FetchTarget t = b.target;
        if (t != null && t.inFlight != null && now - t.inFlight.sentMs() > FETCH_TIMEOUT_MS) {
            t.inFlight = null;
            t.backoffUntilMs = now + FETCH_BACKOFF_MS;
            count("fetch timed out");
        }
        AlterCall a = b.isrInFlight;
        if (a != null && now - a.sentMs > ISR_TIMEOUT_MS) {
            a.answered = true;
            b.isrInFlight = null;
            count("alterPartition timed out");
            for (IsrChange c : a.changes) {
                answer(b, c, Errors.REQUEST_TIMED_OUT, -1, List.of(), -1);
            }
            maybeSendIsr(b);
        }
    }

    private void event() throws IOException {
        long now = time.milliseconds();
        int roll = random.nextInt(1000);
        List<SimBroker> up = brokers.values().stream().filter(b -> b.up).toList();
        List<SimBroker> down = brokers.values().stream().filter(b -> !b.up).toList();
        List<SimBroker> serving = up.stream().filter(b -> b.partition != null).toList();
        if (roll < 450) {
            produce(pick(producers));
        } else if (roll < 500) {
            if (!up.isEmpty()) {
                SimBroker b = pick(up);
                b.metadataStalledUntilMs = now + 200 + random.nextInt(4_000);
                note("broker " + b.id + " lags in metadata");
            }
        } else if (roll < 530) {
            if (!serving.isEmpty()) {
                SimBroker b = pick(serving);
                b.partition.snapshotProducerState();
            }
        } else if (roll < 560) {
            int ms = 500 + random.nextInt(3_000);
            time.advance(ms);
            note("clock jumps " + ms + " ms");
        } else if (roll < 590) {
            if (!up.isEmpty()) {
                SimBroker b = pick(up);
                b.isolatedUntilMs = now + 500 + random.nextInt(5_000);
                note("broker " + b.id + " is cut off from the other brokers and the controller until " + b.isolatedUntilMs);
                count("isolated");
            }
        } else if (roll < 615) {
            if (!up.isEmpty()) {
                crash(pick(up));
            }
        } else if (roll < 670) {
            if (!down.isEmpty()) {
                start(pick(down));
                count("restart");
            }
        } else if (roll < 682) {
            List<SimBroker> candidates = serving.stream().filter(b -> !b.wantShutdown).toList();
            if (!candidates.isEmpty()) {
                controlledShutdown(pick(candidates));
            }
        } else if (roll < 700) {
            electPreferred();
        } else if (roll < 706) {
            failover();
        }
    }

    <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    // ------------------------------------------------------------------ settling (invariant 5)

    /**
     * Ends the faults: every broker runs, the network delivers everything, every broker applies
     * all metadata, followers fetch until caught up. Then the logs must be identical, the ISR every
     * replica, and the last acknowledged idempotent batch, sent again, a duplicate.
     */
    void settle() throws IOException {
        faults = false;
        producing = false;
        note("settling");
        for (InFlight f : network) {
            f.slow = false;
        }
        for (SimBroker b : brokers.values()) {
            b.isolatedUntilMs = 0;
            b.metadataStalledUntilMs = 0;
        }
        for (int round = 0; round < 1_000; round++) {
            time.advance(100);
            for (SimBroker b : brokers.values()) {
                if (!b.up) {
                    start(b);
                }
                timeouts(b);
                if (b.wantShutdown && time.milliseconds() - b.shutdownRequestedMs > SHUTDOWN_TIMEOUT_MS) {
                    stop(b, "no go-ahead for the controlled shutdown in time");
                    continue;
                }
                if (time.milliseconds() >= b.nextHeartbeatMs) {
                    b.nextHeartbeatMs = time.milliseconds() + HEARTBEAT_MS;
                    heartbeat(b, false);
                }
                if (b.up) {
                    catchUp(b);
                }
            }
            deliverAll(m -> false);
            for (SimBroker b : brokers.values()) {
                if (b.partition != null && b.partition.isLeader() && time.milliseconds() >= b.nextIsrCheckMs) {
                    b.nextIsrCheckMs = time.milliseconds() + MAX_LAG_MS / 2;
                    shrinkCheck(b);
                }
                FetchTarget t = b.target;
                if (t != null && t.inFlight == null && time.milliseconds() >= t.backoffUntilMs) {
                    sendFetch(b);
                }
                deliverAll(m -> false);
            }
            for (SimProducer p : producers) {
                if (p.pending != null) {
                    pollAck(p);
                }
            }
            if (time.milliseconds() >= nextFenceCheckMs) {
                nextFenceCheckMs = time.milliseconds() + 1_000;
                fenceExpired();
            }
            checker.check();
            if (converged()) {
                note("settled after " + round + " rounds");
                checker.checkConverged();
                probeIdempotentRetries();
                checker.check();
                return;
            }
        }
        throw new AssertionError("the replicas did not converge");
    }

    private boolean converged() {
        PartitionRegistration reg = registration();
        if (reg == null || reg.leader() < 0 || !new HashSet<>(reg.isr()).equals(new HashSet<>(reg.replicas()))
                || !network.isEmpty()) {
            return false;
        }
        for (SimProducer p : producers) {
            if (p.pending != null) {
                return false;
            }
        }
        SimBroker leader = brokers.get(reg.leader());
        if (leader.partition == null) {
            return false;
        }
        for (int id : reg.replicas()) {
            SimBroker b = brokers.get(id);
            if (!b.serving || b.wantShutdown || b.partition == null || b.applied < images.size() || b.isrInFlight != null
                    || b.partition.leaderEpoch() != reg.leaderEpoch() || b.partition.partitionEpoch() != reg.partitionEpoch()
                    || b.partition.logEndOffset() != leader.partition.logEndOffset()
                    || b.partition.highWatermark() != b.partition.logEndOffset()) {
                return false;
            }
            if (image.broker(id).map(r -> !r.active()).orElse(true)) {
                return false;
            }
        }
        return true;
    }

    /** Invariant 6 at rest: the last acknowledged batch of each idempotent producer, sent again, is a duplicate where it was written. */
    private void probeIdempotentRetries() throws IOException {
        SimBroker leader = brokers.get(registration().leader());
        for (SimProducer p : producers) {
            if (p.lastAcked != null) {
                Partition.AppendResult r = leader.partition.appendAsLeader(p.lastAcked.build(time.milliseconds()), (short) -1);
                leader.mirror.readTail(leader.log);
                if (!r.duplicate() || r.firstOffset() != p.lastAckedFirstOffset) {
                    throw new AssertionError(p + ": its last acknowledged batch " + p.lastAcked + " (at " + p.lastAckedFirstOffset
                            + "), sent again to leader " + leader.id + ", was " + (r.duplicate() ? "a duplicate at " + r.firstOffset()
                                    : "written again at " + r.firstOffset()));
                }
                count("settled retry of an acknowledged batch is a duplicate");
            }
        }
    }

    // ------------------------------------------------------------------ reporting

    void note(String s) {
        trace.addLast("step " + step + " t=" + time.milliseconds() + ": " + s);
        while (trace.size() > 150) {
            trace.removeFirst();
        }
    }

    void count(String outcome) {
        outcomes.merge(outcome, 1, Integer::sum);
    }

    String describe() {
        StringBuilder s = new StringBuilder();
        s.append("\n  controller: ").append(registration()).append(", brokers ").append(image.brokers().stream()
                .map(b -> b.id() + (b.fenced() ? " fenced" : b.inControlledShutdown() ? " shutting down" : " active") + " epoch "
                        + b.epoch()).toList());
        for (SimBroker b : brokers.values()) {
            s.append("\n  ").append(b).append(", applied ").append(b.applied).append("/").append(images.size());
            if (b.partition != null) {
                s.append(", HW ").append(b.partition.highWatermark()).append(", log ").append(b.mirror);
            }
            if (b.target != null) {
                s.append(", follows ").append(b.target.leaderId).append(" in epoch ").append(b.target.leaderEpoch);
            }
        }
        s.append("\n  network: ").append(network.size()).append(" message(s)");
        s.append("\n  recent events:");
        trace.forEach(t -> s.append("\n    ").append(t));
        return s.toString();
    }

    /** Closes what is open; the caller deletes the directories. */
    @Override
    public void close() {
        for (SimBroker b : brokers.values()) {
            if (b.log != null) {
                try {
                    b.log.close();
                } catch (IOException | RuntimeException e) {
                    // closing after a failure: the directory is deleted anyway
                }
            }
        }
    }
}
