package org.tributary.controller;

import org.apache.kafka.common.Uuid;

/** The created topic's id, partition count and replication factor, or an error (then id is null). */
public record CreateTopicResponse(ApiError error, Uuid topicId, int numPartitions, short replicationFactor) {
    static CreateTopicResponse error(ApiError e) {
        return new CreateTopicResponse(e, null, -1, (short) -1);
    }
}
