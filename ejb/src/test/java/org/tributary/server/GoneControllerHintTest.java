package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.broker.MetadataNode;

/**
 * The quorum's leader dies; its voters notice only after their election timeout. When the grid
 * reports the leader's member gone first, the other brokers stop naming it as the active
 * controller in their own view (the admin API's {@code controllerId}, the console, the grid's
 * published copy) at once; after the election they name the new leader. Without the grid's report
 * they keep naming the dead one until the election. Kafka clients are never sent to it: Metadata and
 * DescribeCluster name the answering broker, which forwards to whichever leader the election brings.
 */
@Timeout(180)
class GoneControllerHintTest {
    @Test
    void aLeaderReportedGoneByTheGridIsNotNamedAsControllerAndCreateTopicsGoesThroughTheOthers() throws Exception {
        try (InJvmCluster cluster = new InJvmCluster(Map.of("controller.quorum.election.timeout.ms", "2000")).start()) {
            int dead = -1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while ((dead = cluster.controllerId()) < 0) {
                assertTrue(System.nanoTime() < deadline, "no controller");
                Thread.sleep(50);
            }
            int a = dead == 1 ? 2 : 1;
            int b = 6 - dead - a;
            MetadataNode ma = cluster.broker(a).metadata();
            MetadataNode mb = cluster.broker(b).metadata();
            assertEquals(dead, ma.controllerId());

            // a member the grid drops for a moment (a pause past the grid's heartbeat timeout, a
            // split) and then reports back is named again, in the same term: the hint lasts only
            // while the member is away
            long term = ma.quorum().epoch();
            ma.memberLeft(dead);
            assertEquals(-1, ma.controllerId(), "reported gone: no controller named");
            ma.memberBack(b); // another node's return changes nothing
            assertEquals(-1, ma.controllerId(), "another node's return does not clear the hint");
            ma.memberBack(dead);
            assertEquals(term, ma.quorum().epoch(), "no election meanwhile");
            assertEquals(dead, ma.controllerId(), "reported back: the live leader is named again in its term");

            // a node whose own grid view lost the majority of the voters is the one cut off (after a
            // pause past the grid's heartbeat timeout a resumed node sees every other member leave):
            // a gone report counts only while its view holds a majority, itself included
            ma.gridView(n -> false);
            ma.memberLeft(dead);
            assertEquals(dead, ma.controllerId(), "alone in its grid view: the leader the quorum names is still named");
            ma.gridView(n -> n == b);
            assertEquals(-1, ma.controllerId(), "with " + b + " in its view (a majority with itself): the report counts");
            ma.gridView(n -> false);
            assertEquals(dead, ma.controllerId(), "alone again: the report stops counting, it is not forgotten");
            ma.gridView(n -> n == b);
            assertEquals(-1, ma.controllerId(), "and counts again with a majority in view");
            ma.gridView(n -> true);
            ma.memberBack(dead);
            assertEquals(dead, ma.controllerId());

            cluster.crash(dead);
            assertEquals(dead, ma.quorum().leaderId(), "the voters still follow the dead leader (election timeout 2 s)");
            assertEquals(dead, ma.controllerId(), "without the grid's report it is still named");
            ma.memberLeft(dead);
            mb.memberLeft(dead);
            assertEquals(-1, ma.controllerId(), "reported gone: no controller named");
            assertEquals(dead, ma.quorum().leaderId(), "the election has not happened yet");

            Properties p = new Properties();
            p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap(a, b));
            // as Kafka's defaults have it, a request may wait longer than the CreateTopics timeout it
            // carries: a client that gives up on a request the broker still works on sends it again,
            // and the retry is answered TOPIC_ALREADY_EXISTS when the first one created the topic
            p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
            p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
            try (Admin admin = Admin.create(p)) {
                int named = admin.describeCluster().controller().get(10, TimeUnit.SECONDS).id();
                assertTrue(named == a || named == b, "a live broker is named while the election is due, not " + named);
                admin.createTopics(List.of(new NewTopic("after-leader-loss", 3, (short) 2)), new CreateTopicsOptions().timeoutMs(15_000))
                        .all().get(60, TimeUnit.SECONDS);
                int leader = ma.quorum().leaderId();
                assertNotEquals(dead, leader, "the topic was created by the newly elected controller");
                assertEquals(leader, ma.controllerId(), "the new leader, of a new term, is named");
                int namedAfter = admin.describeCluster().controller().get(10, TimeUnit.SECONDS).id();
                assertTrue(namedAfter == a || namedAfter == b, "a live broker is named after the election, not " + namedAfter);
            }
        }
    }
}
