package org.tributary.ee;

import jakarta.ejb.Local;
import java.util.List;
import java.util.Optional;

/** The local business interface of this node's broker, for the web module (admin API, health). */
@Local
public interface BrokerService {

    /** True once the broker has recovered its data and registered in the cluster. */
    boolean isReady();

    /** Why the broker is not running, when start-up failed. */
    Optional<String> failure();

    /** This broker's id, or -1 before it is known. */
    int brokerId();

    /** The cluster id, or null before it is known. */
    String clusterId();

    /** The active controller's broker id, or -1. */
    int controllerId();

    /** Every broker the cluster knows, with whether it is alive, ordered by id. */
    List<BrokerView> brokers();
}
