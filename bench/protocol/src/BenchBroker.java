import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.apache.kafka.common.utils.Time;
import org.tributary.cluster.BrokerInfo;
import org.tributary.cluster.LocalClusterView;
import org.tributary.config.BrokerConfig;
import org.tributary.server.KafkaServer;

/**
 * Development stand-in for a Tributary node in the protocol benchmark: the KafkaServer facade on
 * 127.0.0.1 with a single-broker cluster view. Usage: BenchBroker DATA_DIR PORT. Stops on SIGTERM.
 */
public final class BenchBroker {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://127.0.0.1:" + port));
        KafkaServer server = KafkaServer.create(config, data, Executors.defaultThreadFactory(), Time.SYSTEM);
        int bound = server.bind();
        server.start(new LocalClusterView("YmVuY2gtdHJpYnV0YXJ5AA", new BrokerInfo(0, "127.0.0.1", bound, 0, null), 0));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        System.out.println("BENCH-BROKER-READY " + bound);
        stopped.await();
    }
}
