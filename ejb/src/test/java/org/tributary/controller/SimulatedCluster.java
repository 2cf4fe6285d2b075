package org.tributary.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.tributary.controller.AlterPartitionRequest.IsrMember;
import org.tributary.controller.AlterPartitionRequest.PartitionIsr;
import org.tributary.metadata.BrokerRegistration;
import org.tributary.metadata.MetadataCodec;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord.ResourceType;
import org.tributary.metadata.MetadataSnapshot;
import org.tributary.metadata.PartitionRegistration;
import org.tributary.metadata.TopicImage;

/**
 * A cluster in one thread, driven by a seeded random: broker processes (each with its own
 * metadata image, caught up through the codec at its own pace), the log, and the active controller.
 * Each {@link #step} performs one random action; responses about appended entries reach their
 * broker only when the entry commits, and are lost with the entry on a controller failover.
 * Not thread-safe.
 */
final class SimulatedCluster {
    static final long SESSION_MS = 3000;
    static final List<String> TOPICS = List.of("t0", "t1", "t2", "t3", "t4", "t.5", "t_5");

    /** One broker process (one incarnation). */
    static final class Proc {
        final int requestedId;
        final Uuid incarnation = Uuid.randomUuid();
        final String rack;
        int id = -1;
        long epoch = -1; // known once the registration commits
        boolean alive = true;
        int applied;
        MetadataImage image = MetadataImage.EMPTY;

        Proc(int requestedId, String rack) {
            this.requestedId = requestedId;
            this.rack = rack;
        }

        @Override
        public String toString() {
            return "proc[id=" + id + ", epoch=" + epoch + ", alive=" + alive + ", applied=" + applied + "]";
        }
    }

    record Grant(long first, int size) {
    }

    final Random random;
    final SimulatedLog log;
    final List<Proc> procs = new ArrayList<>();
    final List<Grant> grants = new ArrayList<>();
    /** How often each operation ended how ("alterPartition NONE"), to show what a run covered. */
    final Map<String, Integer> outcomes = new java.util.TreeMap<>();
    private final Map<Integer, List<Runnable>> onCommit = new HashMap<>();
    long now = 1_000_000;
    ClusterController controller;
    String lastAction = "";
    int failovers;

    SimulatedCluster(long seed) {
        this.random = new Random(seed);
        this.log = new SimulatedLog(random);
        elect();
    }

    private void elect() {
        controller = new ClusterController(new ControllerConfig(SESSION_MS, 2, (short) 2, 64), ConfigValidator.ACCEPT_ALL,
                () -> new Uuid(random.nextLong(), random.nextLong()), now);
        log.append(ClusterController.activationRecords());
    }

    private <T> T submit(ControllerResult<T> r, Consumer<T> whenCommitted) {
        count(lastAction.split(" ")[0], r.response());
        if (r.records().isEmpty()) {
            whenCommitted.accept(r.response());
        } else {
            int index = log.append(r.records());
            onCommit.computeIfAbsent(index, i -> new ArrayList<>()).add(() -> whenCommitted.accept(r.response()));
        }
        return r.response();
    }

    private <T> T submit(ControllerResult<T> r) {
        return submit(r, x -> { });
    }

    private void count(String op, Object response) {
        List<String> codes = new ArrayList<>();
        if (response instanceof ApiError e) {
            codes.add(e.error().name());
        } else if (response instanceof Map<?, ?> m) {
            m.values().forEach(v -> codes.add(((ApiError) v).error().name()));
        } else if (response instanceof CreateTopicResponse c) {
            codes.add(c.error().error().name());
        } else if (response instanceof RegisterBrokerResponse c) {
            codes.add(c.error().error().name());
        } else if (response instanceof ProducerIdsResponse c) {
            codes.add(c.error().error().name());
        } else if (response instanceof BrokerHeartbeatResponse c) {
            codes.add(c.error().error().name() + (c.shouldShutDown() ? "+SHUTDOWN" : "")
                    + (c.inControlledShutdown() ? "+CONTROLLED_SHUTDOWN" : ""));
        } else if (response instanceof AlterPartitionResponse c) {
            codes.add(c.error().error().name());
            c.partitions().forEach(x -> codes.add(x.error().error().name()));
        } else if (response instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof ApiError) {
            l.forEach(v -> codes.add(((ApiError) v).error().name()));
        } else if (response instanceof List<?> fenced) {
            codes.add(fenced.isEmpty() ? "none" : "fenced");
        }
        codes.forEach(c -> outcomes.merge(op + " " + c, 1, Integer::sum));
    }

    void step() {
        int roll = random.nextInt(100);
        if (roll < 8) {
            register();
        } else if (roll < 30) {
            heartbeat();
        } else if (roll < 33) {
            lastAction = "clock";
            now += random.nextInt((int) SESSION_MS);
        } else if (roll < 36) {
            lastAction = "expire";
            submit(controller.fenceExpiredBrokers(log.pending, now));
        } else if (roll < 38) {
            memberLeft();
        } else if (roll < 46) {
            createTopic();
        } else if (roll < 49) {
            lastAction = "delete";
            submit(controller.deleteTopic(log.pending, pick(TOPICS)));
        } else if (roll < 52) {
            createPartitions();
        } else if (roll < 56) {
            alterConfigs();
        } else if (roll < 68) {
            alterPartition();
        } else if (roll < 72) {
            electLeaders();
        } else if (roll < 76) {
            producerIds();
        } else if (roll < 79) {
            reassign();
        } else if (roll < 93) {
            lastAction = "commit";
            commit(1 + random.nextInt(4));
        } else if (roll < 96) {
            failover();
        } else {
            lastAction = "catch up";
            procs.forEach(this::catchUp);
        }
    }

    void commit(int count) {
        int from = log.committed();
        int n = log.commit(count);
        for (int i = from; i < from + n; i++) {
            List<Runnable> callbacks = onCommit.remove(i);
            if (callbacks != null) {
                callbacks.forEach(Runnable::run);
            }
        }
    }

    void failover() {
        lastAction = "failover";
        failovers++;
        log.newLeader();
        onCommit.keySet().removeIf(i -> i >= log.committed());
        if (random.nextBoolean()) { // the new leader starts from a snapshot of the committed log
            MetadataImage img = log.committedImage();
            if (img.offset() >= 0) {
                log.pending = MetadataSnapshot.load(MetadataCodec.decode(MetadataCodec.encode(MetadataSnapshot.records(img))),
                        img.offset(), img.epoch());
            }
        }
        now += random.nextInt(200);
        elect();
    }

    private void catchUp(Proc p) {
        int target = p.applied + random.nextInt(log.committed() - p.applied + 1);
        p.image = log.catchUp(p.image, p.applied, target - p.applied);
        p.applied = target;
    }

    private <T> T pick(List<T> list) {
        return list.get(random.nextInt(list.size()));
    }

    private List<Proc> registered() {
        return procs.stream().filter(p -> p.alive && p.epoch >= 0).toList();
    }

    private void register() {
        List<Proc> waiting = procs.stream().filter(x -> x.alive && x.id >= 0).toList();
        if (!waiting.isEmpty() && random.nextInt(4) == 0) {
            Proc p = pick(waiting); // retries its registration (the response was lost or never came)
            lastAction = "register again " + p;
            submit(controller.registerBroker(log.pending, new RegisterBrokerRequest(p.id, p.incarnation, "h", 9092, 8080, p.rack, true),
                    now), resp -> learnEpoch(p, resp));
            return;
        }
        int requested = random.nextInt(6) == 0 ? -1 : 1 + random.nextInt(5);
        if (requested == -1 && log.pending.brokers().size() >= 8) {
            requested = 1 + random.nextInt(5);
        }
        Proc p = new Proc(requested, random.nextInt(5) == 0 ? null : "rack" + random.nextInt(3));
        lastAction = "register " + requested;
        RegisterBrokerRequest req = new RegisterBrokerRequest(requested, p.incarnation, "h", 9092, 8080, p.rack, random.nextBoolean());
        RegisterBrokerResponse r = submit(controller.registerBroker(log.pending, req, now), resp -> learnEpoch(p, resp));
        if (r.error().isSuccess()) {
            p.id = r.brokerId();
            for (Proc old : procs) {
                if (old.id == p.id && old.alive) {
                    old.alive = false; // a new process of this id: the old one is gone
                }
            }
            procs.add(p);
        }
    }

    private void learnEpoch(Proc p, RegisterBrokerResponse resp) {
        if (resp.error().isSuccess()) {
            BrokerRegistration b = log.committedImage().broker(resp.brokerId()).orElseThrow();
            if (b.incarnationId().equals(p.incarnation)) {
                p.epoch = b.epoch();
            }
        }
    }

    private void heartbeat() {
        List<Proc> live = registered();
        if (live.isEmpty()) {
            return;
        }
        Proc p = pick(live);
        catchUp(p);
        boolean stale = random.nextInt(20) == 0;
        boolean wantShutdown = random.nextInt(25) == 0;
        boolean wantFence = random.nextInt(40) == 0;
        lastAction = "heartbeat " + p + (stale ? " stale" : "") + (wantShutdown ? " shutdown" : "") + (wantFence ? " fence" : "");
        BrokerHeartbeatRequest req = new BrokerHeartbeatRequest(p.id, stale ? p.epoch - 1 : p.epoch, p.image.offset(), wantFence,
                wantShutdown);
        submit(controller.heartbeat(log.pending, req, now), resp -> {
            if (resp.shouldShutDown()) {
                p.alive = false;
            }
        });
    }

    private void memberLeft() {
        List<Proc> live = registered();
        if (live.isEmpty()) {
            return;
        }
        Proc p = pick(live);
        lastAction = "memberLeft " + p;
        p.alive = false;
        submit(controller.brokerLeft(log.pending, p.id, random.nextBoolean() ? p.incarnation : null, now));
    }

    private void createTopic() {
        String name = random.nextInt(15) == 0 ? pick(List.of("bad name", ".", "x".repeat(250))) : pick(TOPICS);
        lastAction = "create " + name;
        CreateTopicRequest req;
        List<Integer> ids = log.pending.brokers().stream().map(BrokerRegistration::id).toList();
        if (random.nextInt(4) == 0 && ids.size() >= 2) {
            List<List<Integer>> assignment = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
                int a = pick(ids);
                int b = pick(ids);
                assignment.add(a == b ? List.of(a) : List.of(a, b));
            }
            req = new CreateTopicRequest(name, -1, (short) -1, assignment, Map.of());
        } else {
            Map<String, String> configs = random.nextInt(3) == 0 ? Map.of(ReplicationControl.UNCLEAN_KEY, "true") : Map.of();
            req = new CreateTopicRequest(name, random.nextInt(6) - 1, (short) (random.nextInt(5) - 1), null, configs);
        }
        submit(controller.createTopic(log.pending, req));
    }

    private void createPartitions() {
        String name = pick(TOPICS);
        int count = log.pending.topic(name).map(TopicImage::partitionCount).orElse(1) + random.nextInt(3);
        lastAction = "createPartitions " + name + " " + count;
        submit(controller.createPartitions(log.pending, name, count, null));
    }

    private void alterConfigs() {
        String value = pick(java.util.Arrays.asList("true", "false", null));
        if (random.nextInt(4) == 0) {
            lastAction = "brokerConfig " + value;
            submit(controller.alterConfigs(log.pending, ResourceType.BROKER, "", List.of(new ConfigChange(ReplicationControl.UNCLEAN_KEY,
                    value))));
        } else {
            String name = pick(TOPICS);
            lastAction = "topicConfig " + name + " " + value;
            submit(controller.alterConfigs(log.pending, ResourceType.TOPIC, name, List.of(new ConfigChange(ReplicationControl.UNCLEAN_KEY,
                    value))));
        }
    }

    /**
     * An ISR shrink or expand, mostly by the partition's leader acting on its own (possibly stale)
     * image or on the controller's, sometimes by another broker or with a stale broker epoch.
     */
    private void alterPartition() {
        List<Proc> live = registered();
        if (live.isEmpty()) {
            return;
        }
        Proc p = pick(live);
        catchUp(p);
        MetadataImage view = random.nextInt(3) == 0 ? log.pending : p.image;
        List<TopicImage> topics = new ArrayList<>(view.topics());
        if (topics.isEmpty()) {
            return;
        }
        TopicImage t = pick(topics);
        int partition = random.nextInt(t.partitionCount());
        PartitionRegistration part = t.partition(partition);
        if (random.nextInt(8) != 0) {
            Proc leader = live.stream().filter(x -> x.id == part.leader()).findFirst().orElse(null);
            if (leader != null) {
                p = leader;
                catchUp(p);
            }
        }
        List<Integer> isr = new ArrayList<>(part.isr());
        if (random.nextBoolean() && isr.size() > 1) {
            isr.remove(isr.get(random.nextInt(isr.size())));
        } else {
            List<Integer> out = part.replicas().stream().filter(r -> !part.isr().contains(r)).toList();
            isr.add(out.isEmpty() ? pick(part.replicas()) : pick(out));
        }
        List<IsrMember> members = isr.stream().distinct().map(id -> new IsrMember(id, random.nextInt(8) == 0 ? -1
                : view.broker(id).map(BrokerRegistration::epoch).orElse(0L))).toList();
        long epoch = random.nextInt(15) == 0 ? p.epoch - 1 : p.epoch;
        lastAction = "alterPartition " + t.name() + "-" + partition + " by " + p.id + "@" + epoch + " to " + isr;
        submit(controller.alterPartition(log.pending, new AlterPartitionRequest(p.id, epoch, List.of(new PartitionIsr(t.id(),
                partition, part.leaderEpoch(), part.partitionEpoch(), members)))));
    }

    private void electLeaders() {
        ElectionType type = random.nextBoolean() ? ElectionType.PREFERRED : ElectionType.UNCLEAN;
        List<TopicPartition> which = random.nextInt(3) == 0 ? null : List.of(new TopicPartition(pick(TOPICS), random.nextInt(3)));
        lastAction = "elect " + type + " " + which;
        submit(controller.electLeaders(log.pending, type, which));
    }

    /**
     * A reassignment of a random partition to random brokers (some unregistered, some duplicated,
     * sometimes empty), or a cancellation.
     */
    private void reassign() {
        TopicPartition tp = new TopicPartition(pick(TOPICS), random.nextInt(3));
        List<Integer> target = null;
        if (random.nextInt(4) != 0) {
            target = new ArrayList<>();
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                target.add(random.nextInt(7));
            }
            if (random.nextInt(3) != 0) {
                target = target.stream().distinct().toList();
            }
        }
        lastAction = "reassign " + tp + " to " + target;
        List<ApiError> r = submit(controller.alterPartitionReassignments(log.pending, java.util.Collections.singletonList(
                new PartitionReassignment(tp, target)), true));
        if (target != null && r.get(0).isSuccess()) {
            PartitionRegistration after = log.pending.topic(tp.topic()).orElseThrow().partition(tp.partition());
            outcomes.merge("reassign " + (after.isReassigning() ? "IN_PROGRESS" : "COMPLETED"), 1, Integer::sum);
        }
    }

    private void producerIds() {
        List<Proc> live = registered();
        if (live.isEmpty()) {
            return;
        }
        Proc p = pick(live);
        lastAction = "producerIds " + p;
        submit(controller.allocateProducerIds(log.pending, p.id, random.nextInt(15) == 0 ? p.epoch - 1 : p.epoch), r -> {
            if (r.error().isSuccess()) {
                grants.add(new Grant(r.firstProducerId(), r.size()));
            }
        });
    }
}
