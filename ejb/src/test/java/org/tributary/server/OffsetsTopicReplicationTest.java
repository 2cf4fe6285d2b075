package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.metadata.TopicImage;

/**
 * {@code offsets.topic.replication.factor} (default 3) is honoured in a three-broker cluster even
 * when the first group arrives while one broker is down: FindCoordinator answers
 * COORDINATOR_NOT_AVAILABLE (retriable) instead of creating {@code __consumer_offsets} with fewer
 * replicas for good, and once the broker is back the topic gets its three replicas. Before, the
 * factor was capped by the brokers serving at that moment.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OffsetsTopicReplicationTest {
    private InJvmCluster cluster;

    @AfterEach
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static FindCoordinatorResponseData.Coordinator findCoordinator(int port, String group) throws IOException {
        try (RawClient c = new RawClient(port)) {
            FindCoordinatorResponseData r = (FindCoordinatorResponseData) TwoPhaseRequests.exchange(c, ApiKeys.FIND_COORDINATOR,
                    (short) 4, new FindCoordinatorRequestData().setKeyType((byte) 0).setCoordinatorKeys(List.of(group))).data();
            return r.coordinators().get(0);
        }
    }

    private TopicImage offsetsTopic(int broker) {
        return cluster.broker(broker).metadata().metadata().image().topic("__consumer_offsets").orElse(null);
    }

    private boolean fenced(int broker) {
        return cluster.broker(1).metadata().metadata().image().broker(broker).map(b -> b.fenced()).orElse(true);
    }

    @Test
    void theOffsetsTopicWaitsForItsReplicationFactorInsteadOfShrinkingIt() throws Exception {
        cluster = new InJvmCluster(Map.of()).start();
        cluster.crash(3);
        InJvmCluster.await("broker 3 fenced", 30_000,
                () -> fenced(3));

        FindCoordinatorResponseData.Coordinator refused = findCoordinator(cluster.kafkaPort(1), "early-group");
        assertEquals(Errors.COORDINATOR_NOT_AVAILABLE.code(), refused.errorCode(), "answer while broker 3 is down: " + refused);
        assertTrue(String.valueOf(refused.errorMessage()).contains("replication factor"),
                "the message says why: " + refused.errorMessage());
        assertEquals(null, offsetsTopic(1), "no offsets topic made with two replicas");

        cluster.startBroker(3);
        InJvmCluster.await("broker 3 serving again", 60_000,
                () -> !fenced(3));
        InJvmCluster.await("a coordinator for the group", 60_000, () -> {
            try {
                return findCoordinator(cluster.kafkaPort(1), "early-group").errorCode() == Errors.NONE.code();
            } catch (IOException e) {
                return false;
            }
        });
        TopicImage t = offsetsTopic(1);
        assertFalse(t == null, "the offsets topic exists");
        for (int p = 0; p < t.partitionCount(); p++) {
            assertEquals(3, t.partition(p).replicas().size(), "replicas of __consumer_offsets-" + p);
        }
    }
}
