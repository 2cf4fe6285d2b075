import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.apache.kafka.common.utils.Time;
import org.tributary.broker.ClusterBroker;
import org.tributary.config.BrokerConfig;
import org.tributary.config.NodeSettings;
import org.tributary.config.QuorumSettings;
import org.tributary.grid.VoterSet;

/**
 * Development stand-in for a Tributary node in the protocol benchmark: one broker on 127.0.0.1 with
 * its own single-voter metadata quorum (on PORT + 100), no application server. Usage:
 * BenchBroker DATA_DIR PORT. Stops on SIGTERM.
 */
public final class BenchBroker {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:" + port, "log.dirs", data.toString(),
                "tributary.http.port", "0"));
        QuorumSettings.HostPort quorum = new QuorumSettings.HostPort("127.0.0.1", port + QuorumSettings.PORT_OFFSET);
        ClusterBroker broker = ClusterBroker.start(config, NodeSettings.from(config), 0, "YmVuY2gtdHJpYnV0YXJ5AA",
                new VoterSet(Map.of(0, quorum)), quorum, Executors.defaultThreadFactory(), Time.SYSTEM, Duration.ofSeconds(60));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }));
        System.out.println("BENCH-BROKER-READY " + broker.server().boundPort());
        stopped.await();
    }
}
