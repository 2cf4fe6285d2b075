import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeMetadataQuorumOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.QuorumInfo;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClusterRequest;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * The metadata benchmark's client side (bench/metadata/run.sh). One sub-command per figure; each
 * prints its figures as {@link ClusterBenchTool#fig}. Every wait is bounded.
 *
 * <pre>
 * create    --bootstrap B --brokers H:P,.. --prefix P --topics N --partitions P --rf R --batch K --label L
 * propagate --bootstrap B --brokers H:P,.. --prefix P --topics N --partitions P --rf R
 * failover  --bootstrap B --brokers H:P,.. --prefix P --pids ID=PID,.. --label L [--quorum-only true]
 * wait-healthy --bootstrap B --brokers H:P,..   (every broker answers, DescribeCluster lists them all; bounded)
 * </pre>
 *
 * Per-broker checks use raw Metadata / DescribeCluster requests on one socket per broker, so that
 * every answer comes from that broker and no other (an Admin client may ask any broker it knows).
 */
public final class MetadataBench extends ClusterBenchTool {
    public static void main(String[] args) throws Exception {
        switch (start("metadata-bench", args)) {
            case "create" -> create();
            case "propagate" -> propagate();
            case "failover" -> failover();
            case "wait-healthy" -> {
                try (Admin admin = admin(5000)) {
                    awaitHealthy(admin, brokers(), intOpt("healthy-wait-s", 60));
                }
            }
            default -> throw new IllegalArgumentException("unknown sub-command " + args[0]);
        }
        exit();
    }

    // ------------------------------------------------------------------------------------------
    // Figure 1: CreateTopics throughput
    // ------------------------------------------------------------------------------------------

    private static void create() throws Exception {
        String label = opt("label", "create");
        String prefix = opt("prefix", "bench");
        int topics = intOpt("topics", 1000);
        int partitions = intOpt("partitions", 10);
        short rf = (short) intOpt("rf", 1);
        int batch = intOpt("batch", 50);
        int requestTimeoutMs = intOpt("request-timeout-ms", 60_000);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(intOpt("deadline-s", 900));
        List<String> brokers = brokers();
        try (Admin admin = admin(requestTimeoutMs)) {
            long start = System.nanoTime();
            int created = 0;
            for (int first = 0; first < topics; first += batch) {
                List<NewTopic> req = new ArrayList<>();
                for (int i = first; i < Math.min(topics, first + batch); i++) {
                    req.add(new NewTopic(topicName(prefix, i), partitions, rf));
                }
                String failure = null;
                try {
                    admin.createTopics(req, new CreateTopicsOptions().timeoutMs(requestTimeoutMs)).all()
                            .get(requestTimeoutMs + 10_000L, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    failure = describe(e.getCause());
                } catch (TimeoutException e) {
                    failure = "no answer to CreateTopics within " + (requestTimeoutMs + 10_000) / 1000 + " s";
                }
                if (failure != null) {
                    String why = "CreateTopics of " + req.size() + " topics x " + partitions + " partitions, RF " + rf + " failed after "
                            + created + " topics were created: " + failure;
                    fig(label + "-s", null, why);
                    fig(label + "-tps", null, why);
                    return;
                }
                created += req.size();
                if (System.nanoTime() > deadline) {
                    String why = "gave up after " + created + " of " + topics + " topics: the deadline of " + opt("deadline-s", "900")
                            + " s passed";
                    fig(label + "-s", null, why);
                    fig(label + "-tps", null, why);
                    return;
                }
                if (created % (batch * 4) == 0 || created == topics) {
                    log("%s: %d/%d topics created", label, created, topics);
                }
            }
            long answered = System.nanoTime();
            double seconds = (answered - start) / 1e9;
            // Not part of the figure: does every broker know the first and the last topic (with leaders), and when?
            String note = visibilityNote(brokers, List.of(topicName(prefix, 0), topicName(prefix, topics - 1)), partitions,
                    intOpt("visible-wait-s", 90), answered);
            fig(label + "-s", String.format("%.2f", seconds), note);
            fig(label + "-tps", String.format("%.1f", topics / seconds), note);
        }
    }

    /**
     * When every broker showed every topic with leaders, counted from {@code since}; otherwise which
     * brokers did not within the wait (and their last answer) and which did.
     */
    private static String visibilityNote(List<String> brokers, List<String> topics, int partitions, int waitS, long since)
            throws Exception {
        long deadline = since + TimeUnit.SECONDS.toNanos(waitS);
        long[] lastSeen = new long[1];
        ExecutorService pool = Executors.newFixedThreadPool(brokers.size());
        Map<String, String> missing = new LinkedHashMap<>(); // broker -> last answer for the first topic it lacks
        List<String> complete = new ArrayList<>();
        try {
            List<Future<String>> results = new ArrayList<>();
            for (String b : brokers) {
                results.add(pool.submit(() -> {
                    try (Raw raw = new Raw(b)) {
                        for (String topic : topics) {
                            String[] last = new String[1];
                            long at = pollVisible(raw, topic, partitions, deadline, TimeUnit.MILLISECONDS.toNanos(50), last);
                            if (at < 0) {
                                return topic + ": " + last[0];
                            }
                            synchronized (lastSeen) {
                                lastSeen[0] = Math.max(lastSeen[0], at);
                            }
                        }
                        return null;
                    }
                }));
            }
            for (int i = 0; i < brokers.size(); i++) {
                String last = results.get(i).get();
                if (last == null) {
                    complete.add(brokers.get(i));
                } else {
                    missing.put(brokers.get(i), last);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        if (missing.isEmpty()) {
            return String.format("every broker showed %s with leaders %.1f s after the last answer", String.join(" and ", topics),
                    Math.max(0, lastSeen[0] - since) / 1e9);
        }
        StringBuilder sb = new StringBuilder("created, but not on every broker: " + waitS + " s after the last answer ");
        missing.forEach((b, last) -> sb.append(b).append(" lacked ").append(last).append("; "));
        sb.append(complete.isEmpty() ? "no broker had them all" : "only " + String.join(", ", complete) + " had them")
                .append(" (checked: ").append(String.join(", ", topics)).append(")");
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------
    // Figure 2: from the CreateTopics answer until every broker shows the topic with leaders
    // ------------------------------------------------------------------------------------------

    private static void propagate() throws Exception {
        String prefix = opt("prefix", "prop");
        int topics = intOpt("topics", 50);
        int partitions = intOpt("partitions", 10);
        short rf = (short) intOpt("rf", 1);
        int waitS = intOpt("visible-wait-s", 30);
        long pollNanos = TimeUnit.MICROSECONDS.toNanos(intOpt("poll-us", 2000));
        List<String> brokers = brokers();
        List<Raw> raws = new ArrayList<>();
        for (String b : brokers) {
            Raw raw = new Raw(b);
            raws.add(raw);
            try {
                raw.metadata(List.of()); // connected (and the broker warmed up) before anything is timed
            } catch (IOException e) {
                log("broker %s does not answer Metadata yet: %s", b, describe(e));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(brokers.size());
        List<Double> worst = new ArrayList<>();
        String failure = null;
        try (Admin admin = admin(30_000)) {
            for (int i = 0; i < topics && failure == null; i++) {
                String topic = topicName(prefix, i);
                try {
                    admin.createTopics(List.of(new NewTopic(topic, partitions, rf)), new CreateTopicsOptions().timeoutMs(30_000))
                            .all().get(40, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    failure = "CreateTopics of " + topic + " failed: " + describe(e instanceof ExecutionException ? e.getCause() : e);
                    break;
                }
                long answered = System.nanoTime();
                long deadline = answered + TimeUnit.SECONDS.toNanos(waitS);
                List<Future<Long>> seen = new ArrayList<>();
                List<String[]> lasts = new ArrayList<>();
                for (Raw raw : raws) {
                    String[] last = new String[1];
                    lasts.add(last);
                    seen.add(pool.submit(() -> pollVisible(raw, topic, partitions, deadline, pollNanos, last)));
                }
                long max = 0;
                List<String> okOn = new ArrayList<>();
                List<String> notOn = new ArrayList<>();
                for (int b = 0; b < raws.size(); b++) {
                    long at = seen.get(b).get();
                    if (at < 0) {
                        notOn.add(brokers.get(b) + " (last answer: " + lasts.get(b)[0] + ")");
                    } else {
                        long ms = Math.max(0, TimeUnit.NANOSECONDS.toMillis(at - answered));
                        okOn.add(brokers.get(b) + " after " + ms + " ms");
                        max = Math.max(max, at - answered);
                    }
                }
                if (!notOn.isEmpty()) {
                    failure = topic + " (" + partitions + " partitions, RF " + rf + ") not visible with leaders on broker "
                            + String.join(", ", notOn) + " after " + waitS + " s"
                            + (okOn.isEmpty() ? "" : "; it was on " + String.join(", ", okOn));
                    break;
                }
                worst.add(Math.max(0, max) / 1e6);
            }
        } finally {
            pool.shutdownNow();
            for (Raw r : raws) {
                r.close();
            }
        }
        if (failure != null) {
            String why = failure + (worst.isEmpty() ? "" : " (" + worst.size() + " earlier topics made it)");
            fig("prop-p50", null, why);
            fig("prop-p99", null, why);
            fig("prop-max", null, why);
            return;
        }
        Collections.sort(worst);
        String note = worst.size() + " topics, polled every " + pollNanos / 1000 + " us";
        fig("prop-p50", String.format("%.1f", pct(worst, 50)), note);
        fig("prop-p99", String.format("%.1f", pct(worst, 99)), note);
        fig("prop-max", String.format("%.1f", worst.get(worst.size() - 1)), note);
    }

    /** Nearest-rank percentile of sorted values. */
    private static double pct(List<Double> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /**
     * Polls {@code raw}'s broker until its Metadata shows {@code topic} with {@code partitions}
     * partitions, each with a leader; returns System.nanoTime() of the answer that did, or -1 at the
     * deadline (last[0] then describes the last answer).
     */
    private static long pollVisible(Raw raw, String topic, int partitions, long deadline, long pollNanos, String[] last) {
        while (true) {
            try {
                MetadataResponseData d = raw.metadata(List.of(topic));
                long at = System.nanoTime();
                String state = topicState(d, topic, partitions, true);
                if (state == null) {
                    return at;
                }
                last[0] = state;
            } catch (Exception e) {
                last[0] = describe(e);
            }
            if (System.nanoTime() > deadline) {
                return -1;
            }
            LockSupport.parkNanos(pollNanos);
        }
    }

    /** Null when the topic is there (and, if asked, every partition has a leader); else what is missing. */
    private static String topicState(MetadataResponseData d, String topic, int partitions, boolean leaders) {
        for (MetadataResponseData.MetadataResponseTopic t : d.topics()) {
            if (!topic.equals(t.name())) {
                continue;
            }
            if (t.errorCode() != 0) {
                return Errors.forCode(t.errorCode()).name();
            }
            if (partitions > 0 && t.partitions().size() < partitions) {
                return t.partitions().size() + " of " + partitions + " partitions";
            }
            if (leaders) {
                long noLeader = t.partitions().stream().filter(p -> p.leaderId() < 0).count();
                if (noLeader > 0) {
                    return noLeader + " partitions without a leader";
                }
            }
            return null;
        }
        return "topic missing from the answer";
    }

    // ------------------------------------------------------------------------------------------
    // Figure 3: kill -9 of the active controller until the next successful CreateTopics
    // ------------------------------------------------------------------------------------------

    private static void failover() throws Exception {
        String label = opt("label", "failover");
        String topic = opt("prefix", "failover");
        int requestTimeoutMs = intOpt("request-timeout-ms", 1000);
        int deadlineS = intOpt("deadline-s", 60);
        boolean quorumOnly = Boolean.parseBoolean(opt("quorum-only", "false"));
        List<String> brokers = brokers();
        Map<Integer, Long> pids = pids();
        try (Admin admin = admin(5000)) {
            awaitHealthy(admin, brokers, intOpt("healthy-wait-s", 60));

            // Who is the active controller?
            Integer controller = null;
            String how;
            String quorumFailure;
            try {
                QuorumInfo q = admin.describeMetadataQuorum(new DescribeMetadataQuorumOptions().timeoutMs(5000)).quorumInfo()
                        .get(10, TimeUnit.SECONDS);
                controller = q.leaderId() >= 0 ? q.leaderId() : null;
                quorumFailure = controller == null ? "DescribeQuorum names no leader" : null;
                how = "DescribeQuorum leader";
            } catch (ExecutionException | TimeoutException e) {
                quorumFailure = "DescribeQuorum failed: " + describe(e instanceof ExecutionException ? e.getCause() : e);
                how = null;
            }
            if (controller == null && !quorumOnly) {
                // DescribeCluster's controller id, asked of every broker on its own: all must agree
                Map<String, String> named = new LinkedHashMap<>();
                for (String b : brokers) {
                    try (Raw raw = new Raw(b)) {
                        named.put(b, Integer.toString(raw.describeClusterController()));
                    } catch (Exception e) {
                        named.put(b, describe(e));
                    }
                }
                long distinct = named.values().stream().distinct().count();
                String first = named.values().iterator().next();
                if (distinct == 1 && first.matches("\\d+")) {
                    controller = Integer.parseInt(first);
                    how = "DescribeCluster controller, the same on every broker";
                } else {
                    StringBuilder sb = new StringBuilder();
                    named.forEach((b, c) -> sb.append(sb.length() == 0 ? "" : ", ").append(b).append(" -> ").append(c));
                    quorumFailure += "; DescribeCluster names a different controller on each broker (" + sb + ")";
                }
            }
            if (controller == null) {
                fig(label, null, "no single active controller to kill: " + quorumFailure);
                System.out.println("KILLED\t-");
                return;
            }
            Long pid = pids.get(controller);
            if (pid == null) {
                fig(label, null, "the active controller is node " + controller + " (" + how + ") but no pid is known for it (known: "
                        + pids + ")");
                System.out.println("KILLED\t-");
                return;
            }
            Optional<ProcessHandle> victim = ProcessHandle.of(pid);
            if (victim.isEmpty()) {
                fig(label, null, "the active controller is node " + controller + " but its pid " + pid + " is not running");
                System.out.println("KILLED\t-");
                return;
            }
            log("%s: active controller is node %d (%s), pid %d; kill -9", label, controller, how, pid);

            // A separate client with a short request timeout, connected before the kill
            try (Admin fast = admin(requestTimeoutMs)) {
                fast.describeCluster().nodes().get(10, TimeUnit.SECONDS);
                long killed = System.nanoTime();
                victim.get().destroyForcibly(); // SIGKILL
                System.out.println("KILLED\t" + controller);
                System.out.flush();
                long deadline = killed + TimeUnit.SECONDS.toNanos(deadlineS);
                String lastError = "no attempt";
                int attempts = 0;
                long ok = -1;
                while (System.nanoTime() < deadline) {
                    attempts++;
                    try {
                        fast.createTopics(List.of(new NewTopic(topic, 1, (short) 1)), new CreateTopicsOptions().timeoutMs(requestTimeoutMs))
                                .all().get(2L * requestTimeoutMs, TimeUnit.MILLISECONDS);
                        ok = System.nanoTime();
                        break;
                    } catch (ExecutionException e) {
                        if (e.getCause() instanceof TopicExistsException) { // an earlier attempt went through
                            ok = System.nanoTime();
                            break;
                        }
                        lastError = describe(e.getCause());
                    } catch (TimeoutException e) {
                        lastError = "no answer within " + 2 * requestTimeoutMs + " ms";
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                if (ok < 0) {
                    fig(label, null, "no successful CreateTopics within " + deadlineS + " s after kill -9 of controller node " + controller
                            + " (" + attempts + " attempts; last error: " + lastError + ")");
                    return;
                }
                long ms = TimeUnit.NANOSECONDS.toMillis(ok - killed);
                // Not timed: a create that only one surviving node knows about is no controller failover
                List<String> survivors = new ArrayList<>();
                for (String b : brokers) {
                    try (Raw raw = new Raw(b)) {
                        raw.metadata(List.of()); // reachable?
                        survivors.add(b);
                    } catch (Exception e) {
                        // the killed node
                    }
                }
                List<String> missing = new ArrayList<>();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(intOpt("visible-wait-s", 15));
                for (String b : survivors) {
                    try (Raw raw = new Raw(b)) {
                        String[] last = new String[1];
                        while (true) {
                            try {
                                last[0] = topicState(raw.metadata(List.of(topic)), topic, 1, false);
                            } catch (Exception e) {
                                last[0] = describe(e);
                            }
                            if (last[0] == null || System.nanoTime() > until) {
                                break;
                            }
                            Thread.sleep(50);
                        }
                        if (last[0] != null) {
                            missing.add(b + " (" + last[0] + ")");
                        }
                    }
                }
                if (!missing.isEmpty()) {
                    fig(label, null, "CreateTopics succeeded " + ms + " ms after kill -9 of controller node " + controller
                            + ", but the topic is not on surviving broker " + String.join(", ", missing) + " after "
                            + opt("visible-wait-s", "15") + " s: not a cluster-wide create");
                    return;
                }
                fig(label, Long.toString(ms), "killed node " + controller + " (" + how + "), " + attempts + " attempt(s)");
            }
        }
    }

    /** Waits (bounded) until every broker answers Metadata and DescribeCluster lists them all; warns otherwise. */
    private static void awaitHealthy(Admin admin, List<String> brokers, int waitS) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitS);
        String state = "";
        while (System.nanoTime() < deadline) {
            int answering = 0;
            for (String b : brokers) {
                try (Raw raw = new Raw(b)) {
                    raw.metadata(List.of());
                    answering++;
                } catch (Exception e) {
                    // not yet
                }
            }
            int listed = -1;
            try {
                listed = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
            } catch (Exception e) {
                // not yet
            }
            state = answering + " of " + brokers.size() + " brokers answer Metadata, DescribeCluster lists " + listed;
            if (answering == brokers.size() && listed == brokers.size()) {
                return;
            }
            Thread.sleep(500);
        }
        log("not every broker looked healthy after %d s (%s); going on", waitS, state);
    }

    // ------------------------------------------------------------------------------------------
    // Helpers
    // ------------------------------------------------------------------------------------------

    private static List<String> brokers() {
        return Arrays.stream(opt("brokers", opt("bootstrap", "127.0.0.1:9092")).split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }

    private static String topicName(String prefix, int i) {
        return String.format("%s-%05d", prefix, i);
    }

    /** One blocking connection to one broker: a request, then its answer. */
    static final class Raw implements Closeable {
        private static final short METADATA_VERSION = 12;
        private final String host;
        private final int port;
        private Socket socket;
        private DataInputStream in;
        private OutputStream out;
        private int correlation;

        Raw(String hostPort) {
            int colon = hostPort.lastIndexOf(':');
            this.host = hostPort.substring(0, colon);
            this.port = Integer.parseInt(hostPort.substring(colon + 1));
        }

        MetadataResponseData metadata(List<String> topics) throws IOException {
            MetadataRequestData data = new MetadataRequestData().setAllowAutoTopicCreation(false);
            for (String t : topics) {
                data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(t));
            }
            return ((MetadataResponse) send(new MetadataRequest.Builder(data).build(METADATA_VERSION))).data();
        }

        int describeClusterController() throws IOException {
            DescribeClusterResponse r = (DescribeClusterResponse) send(
                    new DescribeClusterRequest.Builder(new DescribeClusterRequestData()).build((short) 0));
            if (r.data().errorCode() != 0) {
                throw new IOException("DescribeCluster: " + Errors.forCode(r.data().errorCode()));
            }
            return r.data().controllerId();
        }

        private AbstractResponse send(AbstractRequest request) throws IOException {
            if (socket == null) {
                socket = new Socket();
                try {
                    socket.connect(new InetSocketAddress(host, port), 2000);
                    socket.setSoTimeout(5000);
                    socket.setTcpNoDelay(true);
                    in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
                    out = socket.getOutputStream();
                } catch (IOException e) {
                    close();
                    throw e;
                }
            }
            try {
                RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "metadata-bench", ++correlation);
                ByteBuffer body = request.serializeWithHeader(header);
                ByteBuffer frame = ByteBuffer.allocate(4 + body.remaining());
                frame.putInt(body.remaining()).put(body);
                out.write(frame.array());
                out.flush();
                int size = in.readInt();
                byte[] answer = new byte[size];
                in.readFully(answer);
                return AbstractResponse.parseResponse(ByteBuffer.wrap(answer), header);
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
            socket = null;
        }
    }
}
