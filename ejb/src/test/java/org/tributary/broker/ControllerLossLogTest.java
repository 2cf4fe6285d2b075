package org.tributary.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tributary.cluster.BrokerInfo;
import org.tributary.controller.ControllerClient;
import org.tributary.controller.ControllerRpc;
import org.tributary.metadata.MetadataFollower;
import org.tributary.quorum.QuorumException;
import org.tributary.testing.FakeTime;
import org.tributary.testing.LogCapture;

/**
 * What an operator reads when a broker loses the active controller (a lone node whose two peers
 * stopped): one WARNING once no controller answered for longer than the session timeout, none
 * before and no repeats while it lasts, one INFO when a controller answers again, and a warning
 * again on the next loss. Time is a {@link FakeTime}; the lifecycle's rounds are run by hand.
 */
class ControllerLossLogTest {
    private static final long SESSION_MS = 9_000;
    private static final long HEARTBEAT_MS = 1_000;
    private static final String LOGGER = BrokerLifecycle.class.getName();

    private final FakeTime time = new FakeTime(1_000_000);
    private final MetadataFollower metadata = new MetadataFollower();
    private final Logger logger = Logger.getLogger(LOGGER);
    private final Level level = logger.getLevel();
    private final LogCapture log = LogCapture.on(LOGGER);
    private volatile boolean reachable = true;
    private volatile boolean closeDuringCall;
    /** Registrations answered DUPLICATE_BROKER_REGISTRATION before one is accepted. */
    private volatile int duplicateRefusals;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private BrokerLifecycle lifecycle; // set once in the constructor; not final: the channel refers to it

    ControllerLossLogTest() {
        logger.setLevel(Level.FINE); // the per-failure lines are FINE
        ControllerClient.LeaderChannel channel = (bytes, id, timeout) -> {
            if (closeDuringCall) {
                lifecycle.close(); // the broker stops while this round waits for the controller
            }
            if (!reachable) {
                return CompletableFuture.failedFuture(new QuorumException(QuorumException.Kind.TIMEOUT,
                        "no leader within " + timeout.toMillis() + " ms (no quorum, or an election in progress)"));
            }
            ApiMessage req = ControllerRpc.decodeRequest(bytes);
            ApiMessage resp = req instanceof BrokerHeartbeatRequestData
                    ? new BrokerHeartbeatResponseData().setIsFenced(false).setIsCaughtUp(true)
                    : duplicateRefusals > 0 && duplicateRefusals-- > 0
                            ? new BrokerRegistrationResponseData().setBrokerEpoch(-1)
                                    .setErrorCode(org.apache.kafka.common.protocol.Errors.DUPLICATE_BROKER_REGISTRATION.code())
                            : new BrokerRegistrationResponseData().setBrokerEpoch(7);
            return CompletableFuture.completedFuture(ControllerRpc.encodeAnswer(-1, resp));
        };
        ControllerContact contact = new ControllerContact(1, time::milliseconds, SESSION_MS, Set.of(3, 1, 2), () -> 2);
        // never started: the test runs each round itself (the scheduler runs only a controlled shutdown's round)
        lifecycle = new BrokerLifecycle(new ControllerClient(channel, metadata), new BrokerInfo(1, "127.0.0.1", 9092, 0, null),
                "dHJpYnV0YXJ5LXRlc3Qx00", () -> 0L, scheduler, HEARTBEAT_MS, Duration.ofSeconds(5), contact);
    }

    @AfterEach
    void close() {
        log.close();
        logger.setLevel(level);
        metadata.close();
        scheduler.shutdownNow();
    }

    /** Lets {@code ms} pass, then runs one round. */
    private void round(long ms) {
        time.advance(ms);
        lifecycle.tick();
    }

    private List<LogRecord> lines(String code) {
        return log.records().stream().filter(r -> r.getMessage().startsWith(code)).toList();
    }

    @Test
    void aLostControllerIsWarnedOnceAfterTheSessionTimeoutAndItsReturnOnce() {
        round(0);
        assertEquals(BrokerLifecycle.State.RUNNING, lifecycle.state());
        reachable = false;
        for (int i = 0; i < 9; i++) {
            round(HEARTBEAT_MS); // 1 s .. 9 s without an answer: not yet longer than the session timeout
        }
        assertEquals(List.of(), lines("TRIB-0047"), "no warning before the session timeout has passed");
        round(1);
        List<LogRecord> warnings = lines("TRIB-0047");
        assertEquals(1, warnings.size());
        assertEquals(Level.WARNING, warnings.get(0).getLevel());
        assertEquals("TRIB-0047 Broker 1: no active controller reachable for 9.0 s (longer than broker.session.timeout.ms = 9000):"
                + " is a majority of the metadata quorum's voters (ids 1, 2, 3) running and reachable? Until one answers, topic and"
                + " config changes through this broker time out", warnings.get(0).getMessage());

        for (int i = 0; i < 200; i++) {
            round(HEARTBEAT_MS);
        }
        assertEquals(1, lines("TRIB-0047").size(), "no repeats while the controller stays lost");
        assertEquals(List.of(), lines("TRIB-0048"));
        long fine = lines("TRIB-0040").stream().filter(r -> r.getLevel() == Level.FINE).count();
        assertEquals(210, fine, "each failed heartbeat stays at FINE");

        reachable = true;
        round(HEARTBEAT_MS);
        List<LogRecord> back = lines("TRIB-0048");
        assertEquals(1, back.size());
        assertEquals(Level.INFO, back.get(0).getLevel());
        assertEquals("TRIB-0048 Broker 1: controller 2 reachable again after 210.0 s", back.get(0).getMessage());
        for (int i = 0; i < 20; i++) {
            round(HEARTBEAT_MS);
        }
        assertEquals(1, lines("TRIB-0048").size(), "the return is told once");
        assertEquals(1, lines("TRIB-0047").size());

        reachable = false;
        for (int i = 0; i < 9; i++) {
            round(HEARTBEAT_MS);
        }
        assertEquals(1, lines("TRIB-0047").size(), "a new loss is measured from the last answer");
        round(HEARTBEAT_MS);
        assertEquals(2, lines("TRIB-0047").size(), "a second loss warns again");
        assertTrue(lines("TRIB-0047").get(1).getMessage().contains("for 10.0 s"));
    }

    /** A broker stopping while the quorum is gone says so with TRIB-0046; no warning about the quorum on its way out. */
    @Test
    void aBrokerShuttingDownWithoutAControllerDoesNotWarnAboutTheQuorum() {
        round(0);
        reachable = false;
        time.advance(SESSION_MS + 1);
        lifecycle.controlledShutdown(Duration.ofMillis(300));
        assertEquals(BrokerLifecycle.State.STOPPED, lifecycle.state());
        assertEquals(List.of(), lines("TRIB-0047"));
        assertEquals(1, lines("TRIB-0046").size());
    }

    @Test
    void aRoundThatFailsAfterTheBrokerStoppedDoesNotWarn() {
        round(0);
        reachable = false;
        closeDuringCall = true;
        round(SESSION_MS + 1);
        assertEquals(BrokerLifecycle.State.STOPPED, lifecycle.state());
        assertEquals(List.of(), lines("TRIB-0047"));
    }

    @Test
    void aBrokerThatNeverReachedAControllerWarnsOnceItsSessionTimeoutHasPassed() {
        reachable = false;
        for (int i = 0; i < 9; i++) {
            round(HEARTBEAT_MS);
        }
        assertEquals(BrokerLifecycle.State.REGISTERING, lifecycle.state());
        assertEquals(List.of(), lines("TRIB-0047"));
        assertTrue(String.valueOf(lifecycle.lastProblem()).startsWith("TimeoutException: no active controller answered"),
                "the start-up failure names why: " + lifecycle.lastProblem());
        for (int i = 0; i < 30; i++) {
            round(HEARTBEAT_MS);
        }
        assertEquals(1, lines("TRIB-0047").size());
        reachable = true;
        round(HEARTBEAT_MS);
        assertEquals(BrokerLifecycle.State.RUNNING, lifecycle.state());
        assertEquals(1, lines("TRIB-0048").size());
        assertEquals(null, lifecycle.lastProblem(), "a registration clears the last problem");
    }

    @Test
    void aRegistrationRefusedUntilTheOldSessionExpiresIsWarnedOnceNotEverySecond() {
        duplicateRefusals = 65;
        for (int i = 0; i < 65; i++) {
            round(HEARTBEAT_MS);
            assertEquals(BrokerLifecycle.State.REGISTERING, lifecycle.state());
        }
        List<LogRecord> refused = lines("TRIB-0041");
        assertEquals(65, refused.size());
        List<LogRecord> warnings = refused.stream().filter(r -> r.getLevel() == Level.WARNING).toList();
        assertEquals(3, warnings.size(), "the first refusal, then one every " + BrokerLifecycle.REFUSALS_PER_WARNING);
        assertEquals("TRIB-0041 Broker 1 registration refused: the controller still holds a live session of broker 1. If this"
                + " broker just restarted, it registers once that session expires (broker.session.timeout.ms); if another running"
                + " broker has node.id 1, give this one a node.id of its own", warnings.get(0).getMessage());
        assertTrue(warnings.get(1).getMessage().startsWith("TRIB-0041 Broker 1 registration refused 30 times: "),
                warnings.get(1).getMessage());
        assertEquals("registration refused: DUPLICATE_BROKER_REGISTRATION", lifecycle.lastProblem());

        round(HEARTBEAT_MS);
        assertEquals(BrokerLifecycle.State.RUNNING, lifecycle.state());
        assertEquals(1, lines("TRIB-0042").size(), "registered once the old session is gone");
    }
}
