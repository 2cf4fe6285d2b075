package org.tributary.api;

import org.tributary.cluster.ClusterView;
import org.tributary.config.BrokerConfig;
import org.tributary.group.GroupCoordinator;
import org.tributary.metadata.MetadataStore;
import org.tributary.metrics.BrokerMetrics;
import org.tributary.partition.ReplicaManager;
import org.tributary.security.ClientQuotaManager;
import org.tributary.txn.ProducerIdManager;

/** What the API handlers work with; one instance per broker. */
public record ApiServices(BrokerConfig config, ClusterView cluster, MetadataStore metadata, ReplicaManager replicas,
        ProducerIdManager producerIds, TopicAdmin topics, GroupCoordinator groups, BrokerMetrics metrics,
        org.tributary.controller.ControllerClient controller, ClientQuotaManager quotas) {

    /** Without client quotas (tests, in-process callers). */
    public ApiServices(BrokerConfig config, ClusterView cluster, MetadataStore metadata, ReplicaManager replicas,
            ProducerIdManager producerIds, TopicAdmin topics, GroupCoordinator groups, BrokerMetrics metrics,
            org.tributary.controller.ControllerClient controller) {
        this(config, cluster, metadata, replicas, producerIds, topics, groups, metrics, controller, null);
    }
}
