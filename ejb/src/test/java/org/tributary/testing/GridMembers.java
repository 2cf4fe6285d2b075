package org.tributary.testing;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Embedded data-grid members for tests: one private grid (its own name), loopback only, tcp-ip
 * join on four ports from {@code basePort}. Close shuts every member down.
 */
public final class GridMembers implements AutoCloseable {
    private final String name = "test-" + UUID.randomUUID();
    private final int basePort;
    private final List<HazelcastInstance> members = new ArrayList<>();

    public GridMembers(int basePort) {
        this.basePort = basePort;
    }

    public HazelcastInstance start() {
        Config c = new Config();
        c.setClusterName(name);
        c.setProperty("hazelcast.phone.home.enabled", "false");
        c.setProperty("hazelcast.logging.type", "jdk");
        c.setProperty("hazelcast.wait.seconds.before.join", "0");
        c.getNetworkConfig().setPort(basePort).setPortAutoIncrement(true);
        c.getNetworkConfig().getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = c.getNetworkConfig().getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        for (int i = 0; i < 4; i++) {
            join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + (basePort + i));
        }
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(c);
        members.add(hz);
        return hz;
    }

    public HazelcastInstance get(int i) {
        return members.get(i);
    }

    @Override
    public void close() {
        members.forEach(HazelcastInstance::shutdown);
    }
}
