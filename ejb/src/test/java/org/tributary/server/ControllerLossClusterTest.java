package org.tributary.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tributary.broker.BrokerLifecycle;
import org.tributary.testing.LogCapture;

/**
 * A lone broker whose two quorum peers are down (no majority, so no active controller): a
 * CreateTopics answers REQUEST_TIMED_OUT when its own timeoutMs passes, the broker's log warns
 * once that the controller is lost and tells once when a peer is back and a controller answers.
 */
@Timeout(300)
class ControllerLossClusterTest {

    private static CreateTopicsResponse create(RawClient raw, String name, int timeoutMs) throws Exception {
        CreateTopicsRequestData d = new CreateTopicsRequestData().setTimeoutMs(timeoutMs);
        d.topics().add(new CreateTopicsRequestData.CreatableTopic().setName(name).setNumPartitions(1).setReplicationFactor((short) 1));
        return raw.send(new CreateTopicsRequest.Builder(d).build((short) 7));
    }

    private static List<LogRecord> lines(LogCapture log, String prefix) {
        return log.records().stream().filter(r -> r.getMessage().startsWith(prefix)).toList();
    }

    @Test
    void aBrokerWithoutAQuorumTimesOutCreateTopicsAtItsTimeoutAndLogsTheLossAndTheReturnOnce() throws Exception {
        try (LogCapture log = LogCapture.on(BrokerLifecycle.class.getName());
                InJvmCluster cluster = new InJvmCluster(Map.of("broker.session.timeout.ms", "3000",
                        "broker.heartbeat.interval.ms", "500")).start()) {
            cluster.crash(2);
            cluster.crash(3);
            try (RawClient raw = new RawClient(cluster.kafkaPort(1))) {
                long t0 = System.nanoTime();
                CreateTopicsResponse r = create(raw, "lost", 2_000);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                System.out.println("CreateTopics timeoutMs=2000 without a quorum: " + Errors.forCode(r.data().topics().find("lost")
                        .errorCode()) + " after " + ms + " ms: " + r.data().topics().find("lost").errorMessage());
                assertEquals(Errors.REQUEST_TIMED_OUT.code(), r.data().topics().find("lost").errorCode());
                assertTrue(ms >= 1_900 && ms < 5_000, "answered after " + ms + " ms");

                t0 = System.nanoTime();
                r = create(raw, "no-wait", 0);
                ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                System.out.println("CreateTopics timeoutMs=0: " + Errors.forCode(r.data().topics().find("no-wait").errorCode())
                        + " after " + ms + " ms");
                assertEquals(Errors.REQUEST_TIMED_OUT.code(), r.data().topics().find("no-wait").errorCode());
                assertTrue(ms < 1_000, "answered at once: " + ms + " ms");
            }

            InJvmCluster.await("broker 1 warns that the controller is lost", 60_000, () -> !lines(log, "TRIB-0047 Broker 1:").isEmpty());
            cluster.startBroker(2);
            InJvmCluster.await("broker 1 tells that a controller answers again", 60_000,
                    () -> !lines(log, "TRIB-0048 Broker 1:").isEmpty());
            List<LogRecord> warned = lines(log, "TRIB-0047 Broker 1:");
            List<LogRecord> back = lines(log, "TRIB-0048 Broker 1:");
            warned.forEach(w -> System.out.println(w.getLevel() + " " + w.getMessage()));
            back.forEach(b -> System.out.println(b.getLevel() + " " + b.getMessage()));
            assertEquals(1, warned.size(), "one warning for the whole loss");
            assertEquals(Level.WARNING, warned.get(0).getLevel());
            assertEquals(1, back.size());
            assertEquals(Level.INFO, back.get(0).getLevel());
        }
    }
}
