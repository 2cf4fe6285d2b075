package org.tributary.server;

import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;

/**
 * {@link InJvmCluster}'s brokers 1..3 for tests of other packages (the admin facade's in
 * {@code ee}): each broker's server, a Kafka admin client and bootstrap address for it. Closing
 * stops them all and deletes their data.
 */
public final class ThreeBrokerCluster implements AutoCloseable {
    private final InJvmCluster cluster;

    private ThreeBrokerCluster(InJvmCluster cluster) {
        this.cluster = cluster;
    }

    /** Starts brokers 1..3 (the voters) with {@code extra} broker settings. */
    public static ThreeBrokerCluster start(Map<String, String> extra) throws Exception {
        InJvmCluster c = new InJvmCluster(extra);
        try {
            return new ThreeBrokerCluster(c.start());
        } catch (Exception | Error e) {
            c.close();
            throw e;
        }
    }

    public KafkaServer server(int id) {
        return cluster.broker(id).server();
    }

    public Admin admin(int id) {
        return cluster.admin(id);
    }

    public String bootstrap(int... ids) {
        return cluster.bootstrap(ids);
    }

    /** Waits (polling, never a fixed sleep) until {@code condition} holds; fails after {@code timeoutMs}. */
    public static void await(String what, long timeoutMs, BooleanSupplier condition) throws InterruptedException {
        InJvmCluster.await(what, timeoutMs, condition);
    }

    @Override
    public void close() {
        cluster.close();
    }
}
