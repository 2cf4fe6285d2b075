package org.tributary.cluster;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cluster of exactly one broker with no data grid: for embedded use and protocol tests.
 * Producer ids start at {@code firstProducerId}; persist the next free id yourself if restarts
 * must not reuse ids.
 */
public final class LocalClusterView implements ClusterView {
    private final String clusterId;
    private final BrokerInfo self;
    private final AtomicLong nextProducerId;

    public LocalClusterView(String clusterId, BrokerInfo self, long firstProducerId) {
        this.clusterId = clusterId;
        this.self = self;
        this.nextProducerId = new AtomicLong(firstProducerId);
    }

    @Override
    public String clusterId() {
        return clusterId;
    }

    @Override
    public int localBrokerId() {
        return self.id();
    }

    @Override
    public List<BrokerInfo> liveBrokers() {
        return List.of(self);
    }

    @Override
    public int controllerId() {
        return self.id();
    }

    @Override
    public long allocateProducerIds(int count) {
        return nextProducerId.getAndAdd(count);
    }
}
