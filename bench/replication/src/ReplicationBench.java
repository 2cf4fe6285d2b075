import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The replication benchmark's client side (bench/replication/run.sh); the throughput and latency
 * figures come from Kafka's own perf tools, this covers what they do not. Every wait is bounded.
 *
 * <pre>
 * create-topic --bootstrap B --topic T --partitions P --rf R --min-isr M [--wait-s 60] [--isr-wait-s 20]
 *     creates T with min.insync.replicas=M and waits until every partition has a leader (failed
 *     otherwise) and, for at most isr-wait-s, an ISR of at least M (reported when missing); prints
 *     "TOPIC&lt;TAB&gt;ok|failed&lt;TAB&gt;partition states"
 * failover --bootstrap B --topic T --pids ID=PID,.. --label L [--rate 1000] [--record-size 1024]
 *          [--deadline-s 60] [--isr-wait-s 60]
 *     an idempotent acks=all producer sends to partition 0 of T continuously; once the ISR of
 *     partition 0 is complete, its leader is killed (SIGKILL) and the time from the kill until the
 *     next acknowledged record of partition 0 is the figure. Prints "FIG&lt;TAB&gt;L&lt;TAB&gt;ms|n/a&lt;TAB&gt;note"
 *     and "KILLED&lt;TAB&gt;node id" ("-" when nothing was killed).
 * </pre>
 *
 * Before the kill the producer stops for a moment and waits for every record it has sent to be
 * acknowledged, then sends on at once: no answer of the killed leader can arrive after the kill, so
 * the first acknowledgement after it comes from the partition's next leader.
 */
public final class ReplicationBench extends ClusterBenchTool {
    public static void main(String[] args) throws Exception {
        switch (start("replication-bench", args)) {
            case "create-topic" -> createTopic();
            case "failover" -> failover();
            default -> throw new IllegalArgumentException("unknown sub-command " + args[0]);
        }
        exit();
    }

    private static void createTopic() throws Exception {
        String topic = opt("topic", "replication");
        int partitions = intOpt("partitions", 3);
        int rf = intOpt("rf", 3);
        int minIsr = intOpt("min-isr", 2);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(intOpt("wait-s", 60));
        try (Admin admin = admin(5000)) {
            NewTopic t = new NewTopic(topic, partitions, (short) rf).configs(Map.of("min.insync.replicas", Integer.toString(minIsr)));
            try {
                admin.createTopics(List.of(t)).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    System.out.println("TOPIC\tfailed\tCreateTopics " + topic + ": " + describe(e.getCause()));
                    return;
                }
            } catch (TimeoutException e) {
                System.out.println("TOPIC\tfailed\tCreateTopics " + topic + ": no answer within 30 s");
                return;
            }
            // a leader for every partition is needed; an ISR of min.insync.replicas is waited for, but
            // only reported when missing (then acks=all may be refused: the figures say so)
            long isrDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(intOpt("isr-wait-s", 20));
            String state = "not described yet";
            boolean led = false;
            while (System.nanoTime() < deadline) {
                try {
                    List<TopicPartitionInfo> ps = describe(admin, topic).partitions();
                    state = ps.stream().map(ReplicationBench::partitionState).collect(Collectors.joining("; "));
                    led = ps.size() == partitions && ps.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                    boolean isr = ps.stream().allMatch(p -> p.isr().size() >= minIsr);
                    if (led && (isr || System.nanoTime() > isrDeadline)) {
                        System.out.println("TOPIC\tok\t" + topic + (isr ? "" : " (ISR below min.insync.replicas=" + minIsr + " after "
                                + opt("isr-wait-s", "20") + " s)") + ": " + state);
                        return;
                    }
                } catch (Exception e) {
                    state = describe(e);
                }
                Thread.sleep(200);
            }
            System.out.println("TOPIC\tfailed\t" + topic + " has not a leader on every partition after " + opt("wait-s", "60")
                    + " s (" + state + ")");
        }
    }

    private static void failover() throws Exception {
        String label = opt("label", "failover");
        String topic = opt("topic", "failover");
        int rate = intOpt("rate", 1000);
        int deadlineS = intOpt("deadline-s", 60);
        byte[] payload = new byte[intOpt("record-size", 1024)];
        Map<Integer, Long> pids = pids();
        try (Admin admin = admin(5000)) {
            // the leader of partition 0, once its ISR holds every replica (else the kill could leave too few)
            long isrDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(intOpt("isr-wait-s", 60));
            TopicPartitionInfo p0 = null;
            String state = "not described";
            while (System.nanoTime() < isrDeadline) {
                try {
                    p0 = describe(admin, topic).partitions().get(0);
                    state = partitionState(p0);
                    if (p0.leader() != null && !p0.leader().isEmpty() && p0.isr().size() >= p0.replicas().size()) {
                        break;
                    }
                } catch (Exception e) {
                    state = describe(e);
                }
                Thread.sleep(200);
            }
            if (p0 == null || p0.leader() == null || p0.leader().isEmpty()) {
                notKilled(label, "partition 0 of " + topic + " has no leader (" + state + ")");
                return;
            }
            String isrNote = p0.isr().size() >= p0.replicas().size() ? ""
                    : "; its ISR " + ids(p0.isr()) + " was not complete after " + opt("isr-wait-s", "60") + " s";
            int leader = p0.leader().id();
            Long pid = pids.get(leader);
            Optional<ProcessHandle> victim = pid == null ? Optional.empty() : ProcessHandle.of(pid);
            if (victim.isEmpty()) {
                notKilled(label, "the leader of partition 0 is node " + leader + " but no running process is known for it (known: " + pids + ")");
                return;
            }

            Sender sender = new Sender(producer(deadlineS), topic, payload, rate);
            try {
                sender.start();
                // warm-up: at least 2 s and 200 acknowledged records
                long warm = System.nanoTime();
                long warmDeadline = warm + TimeUnit.SECONDS.toNanos(30);
                while ((sender.acked.get() < 200 || System.nanoTime() - warm < TimeUnit.SECONDS.toNanos(2))
                        && System.nanoTime() < warmDeadline) {
                    Thread.sleep(50);
                }
                if (sender.acked.get() == 0) {
                    notKilled(label, "no record of partition 0 was acknowledged in 30 s before the kill (last error: " + sender.lastError.get() + ")");
                    return;
                }
                // no request in flight at the kill: every acknowledgement after it comes from the next leader
                if (!sender.drain(30)) {
                    notKilled(label, "the records sent before the kill were not all acknowledged within 30 s (last error: "
                            + sender.lastError.get() + ")");
                    return;
                }
                long before = sender.acked.get();
                long lastOffsetBefore = sender.lastOffset.get();
                long errorsBefore = sender.errors.get();
                long killed = System.nanoTime();
                sender.killedAt.set(killed);
                victim.get().destroyForcibly(); // SIGKILL
                sender.resume();
                System.out.println("KILLED\t" + leader);
                System.out.flush();
                log("%s: killed node %d (leader of %s-0, pid %d)", label, leader, topic, pid);

                long deadline = killed + TimeUnit.SECONDS.toNanos(deadlineS);
                while (sender.firstAckAfterKill.get() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(5);
                }
                long ack = sender.firstAckAfterKill.get();
                String errors = sender.errors.get() > errorsBefore
                        ? "; " + (sender.errors.get() - errorsBefore) + " record(s) failed (last: " + sender.lastError.get() + ")"
                        : "";
                String after;
                try {
                    after = partitionState(describe(admin, topic).partitions().get(0));
                } catch (Exception e) {
                    after = describe(e);
                }
                if (ack == 0) {
                    fig(label, null, "no record of partition 0 acknowledged within " + deadlineS + " s after kill -9 of its leader, node "
                            + leader + isrNote + errors + "; partition 0 now: " + after);
                    return;
                }
                long firstOffset = sender.firstOffsetAfterKill.get();
                String lost = firstOffset <= lastOffsetBefore
                        ? "; ACKNOWLEDGED RECORDS LOST: the first offset after the kill is " + firstOffset + ", " + lastOffsetBefore
                                + " had been acknowledged before it"
                        : "";
                fig(label, String.format(Locale.ROOT, "%.1f", (ack - killed) / 1e6), "killed node " + leader + " (leader of partition 0)" + isrNote
                        + ", " + before + " records acknowledged before; partition 0 then: " + after + lost + errors);
            } finally {
                sender.stop();
            }
        }
    }

    /** Sends records to partition 0 at a steady rate, on its own thread; the callbacks keep count. */
    private static final class Sender implements Runnable {
        private final KafkaProducer<byte[], byte[]> producer;
        private final String topic;
        private final byte[] payload;
        private final long periodNanos;
        private final Thread thread = new Thread(this, "failover-sender");
        private volatile boolean running = true;
        private volatile boolean paused;
        private volatile boolean idle;
        final AtomicLong sent = new AtomicLong();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        final AtomicLong lastOffset = new AtomicLong(-1);
        final AtomicLong killedAt = new AtomicLong();
        final AtomicLong firstAckAfterKill = new AtomicLong();
        final AtomicLong firstOffsetAfterKill = new AtomicLong(-1);
        final AtomicReference<String> lastError = new AtomicReference<>("none");

        Sender(KafkaProducer<byte[], byte[]> producer, String topic, byte[] payload, int rate) {
            this.producer = producer;
            this.topic = topic;
            this.payload = payload;
            this.periodNanos = TimeUnit.SECONDS.toNanos(1) / Math.max(1, rate);
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        @Override
        public void run() {
            long next = System.nanoTime();
            while (running) {
                // paused, or too many records waiting (the leader is gone): wait instead of blocking in send()
                if (paused || sent.get() - acked.get() - errors.get() >= 5000) {
                    idle = paused;
                    LockSupport.parkNanos(200_000);
                    next = System.nanoTime();
                    continue;
                }
                idle = false;
                sent.incrementAndGet();
                try {
                    producer.send(new ProducerRecord<>(topic, 0, null, payload), (md, e) -> {
                        long now = System.nanoTime();
                        if (e != null) {
                            errors.incrementAndGet();
                            lastError.set(describe(e));
                            return;
                        }
                        acked.incrementAndGet();
                        lastOffset.accumulateAndGet(md.offset(), Math::max);
                        if (killedAt.get() != 0 && firstAckAfterKill.compareAndSet(0, now)) {
                            firstOffsetAfterKill.set(md.offset());
                        }
                    });
                } catch (RuntimeException e) {
                    errors.incrementAndGet();
                    lastError.set(describe(e));
                }
                next += periodNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                } else if (wait < -100 * periodNanos) {
                    next = System.nanoTime(); // fell far behind: do not burst to catch up
                }
            }
        }

        /** Stops sending and waits (bounded) until every record sent has been answered. */
        boolean drain(int seconds) throws InterruptedException {
            paused = true;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (!idle && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            CompletableFuture<Void> flushed = CompletableFuture.runAsync(producer::flush);
            try {
                flushed.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | TimeoutException e) {
                return false;
            }
            while (sent.get() != acked.get() + errors.get() && System.nanoTime() < deadline) {
                Thread.sleep(1); // the last callbacks
            }
            return sent.get() == acked.get() + errors.get();
        }

        void resume() {
            paused = false;
        }

        void stop() {
            running = false;
            try {
                thread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            producer.close(Duration.ofSeconds(5));
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(int deadlineS) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, opt("bootstrap", "127.0.0.1:9092"));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "replication-bench-failover");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        // a record is retried until well past the deadline, so the figure is never cut short by it
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Integer.toString((deadlineS + 30) * 1000));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
    }

    private static String partitionState(TopicPartitionInfo p) {
        return "partition " + p.partition() + " leader " + (p.leader() == null || p.leader().isEmpty() ? "none" : p.leader().id())
                + " replicas " + ids(p.replicas()) + " isr " + ids(p.isr());
    }

    private static String ids(List<Node> nodes) {
        List<Integer> out = new ArrayList<>();
        nodes.forEach(n -> out.add(n.id()));
        return out.toString().replace(" ", "");
    }

    private static void notKilled(String label, String why) {
        fig(label, null, why);
        System.out.println("KILLED\t-");
    }
}
