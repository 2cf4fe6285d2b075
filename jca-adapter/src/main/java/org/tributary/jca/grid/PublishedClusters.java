package org.tributary.jca.grid;

import java.util.Map;

/**
 * What the data grid holds for the adapter: the metadata text each Tributary cluster's active
 * controller published (map {@code tributary.metadata.<clusterId>}, key {@code image}). Only
 * plain text crosses the grid. The seam between {@link GridBootstrap}'s rules and Hazelcast.
 */
public interface PublishedClusters {
    /** The published text by cluster id; clusters whose map holds no image are left out. */
    Map<String, String> images();
}
