import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * What the cluster benchmarks' client tools (MetadataBench, ReplicationBench: bench/lib/cluster.sh
 * compiles them with this) share: "sub-command --key value ..." arguments, figures printed to stdout
 * as {@code FIG<TAB>name<TAB>value<TAB>note} (value "n/a" when the figure could not be measured, the
 * note then says why), progress on stderr, and an Admin client that fails fast.
 */
abstract class ClusterBenchTool {
    private static final Map<String, String> OPTS = new HashMap<>();
    private static String name = "bench";

    /** Reads "--key value" pairs after the sub-command; {@code tool} names the log lines and the clients. */
    static String start(String tool, String[] args) {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: " + tool + " SUB-COMMAND --key value ...");
        }
        name = tool;
        for (int i = 1; i + 1 < args.length; i += 2) {
            OPTS.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        return args[0];
    }

    /** Ends the tool without waiting for client threads of timed-out calls. */
    static void exit() {
        System.out.flush();
        System.exit(0);
    }

    static Admin admin(int requestTimeoutMs) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, opt("bootstrap", "127.0.0.1:9092"));
        p.put(AdminClientConfig.CLIENT_ID_CONFIG, name);
        p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(requestTimeoutMs));
        p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(Math.max(2 * requestTimeoutMs, requestTimeoutMs + 1000)));
        p.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "50");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "50");
        p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        return Admin.create(p);
    }

    static void fig(String figure, String value, String note) {
        String clean = note == null ? "" : note.replaceAll("[\\t\\r\\n]+", " ");
        System.out.println("FIG\t" + figure + "\t" + (value == null ? "n/a" : value) + "\t" + clean);
        System.out.flush();
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m.split("\n")[0]);
    }

    static void log(String fmt, Object... args) {
        System.err.printf("[" + name + "] " + fmt + "%n", args);
    }

    static String opt(String k, String def) {
        return OPTS.getOrDefault(k, def);
    }

    static int intOpt(String k, int def) {
        return Integer.parseInt(opt(k, Integer.toString(def)));
    }

    /** --pids ID=PID,...: the broker processes by node id. */
    static Map<Integer, Long> pids() {
        Map<Integer, Long> pids = new LinkedHashMap<>();
        for (String kv : opt("pids", "").split(",")) {
            if (!kv.isBlank()) {
                String[] p = kv.split("=");
                pids.put(Integer.parseInt(p[0].trim()), Long.parseLong(p[1].trim()));
            }
        }
        return pids;
    }
}
