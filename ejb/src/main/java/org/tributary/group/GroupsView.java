package org.tributary.group;

import java.util.List;
import java.util.Optional;

/** What the admin API may read about consumer groups; never changes anything. */
public interface GroupsView {
    /** Every group this broker coordinates, by id. */
    List<GroupDescription> groups();

    Optional<GroupDescription> describeGroup(String groupId);

    /** Lag per committed partition of the group (empty when the group is unknown). */
    List<PartitionLag> lag(String groupId);
}
