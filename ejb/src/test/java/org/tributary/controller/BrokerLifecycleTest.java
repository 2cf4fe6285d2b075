package org.tributary.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.MetadataRecord;

class BrokerLifecycleTest {
    final ControllerHarness h = new ControllerHarness();

    @Test
    void assignedIdsStartAt1000AndNeverReuseARegisteredId() {
        assertEquals(1000, h.register(-1, null));
        assertEquals(1001, h.register(-1, null));
        h.register(5, null);
        assertEquals(1002, h.register(-1, null));
        h.register(2000, null);
        assertEquals(2001, h.register(-1, null));
    }

    @Test
    void registrationStartsFencedWithTheEntryOffsetAsEpoch() {
        int id = h.register(1, "r1");
        assertTrue(h.broker(1).fenced());
        assertEquals(h.image.offset(), h.epoch(id));
        assertEquals(BrokerControlState.FENCED, ClusterController.brokerState(h.image, 1).orElseThrow());
    }

    @Test
    void aBrokerIsUnfencedOnlyOnceItHasCaughtUpWithItsRegistration() {
        h.register(1, null);
        long epoch = h.epoch(1);
        BrokerHeartbeatResponse behind = h.run(h.controller.heartbeat(h.image,
                new BrokerHeartbeatRequest(1, epoch, epoch - 1, false, false), h.time.milliseconds()));
        assertTrue(behind.fenced());
        BrokerHeartbeatResponse wantsFence = h.run(h.controller.heartbeat(h.image,
                new BrokerHeartbeatRequest(1, epoch, epoch, true, false), h.time.milliseconds()));
        assertTrue(wantsFence.fenced());
        assertFalse(h.heartbeat(1).fenced());
        assertFalse(h.broker(1).fenced());
    }

    @Test
    void aHeartbeatWithAStaleEpochIsRefusedAndChangesNothing() {
        h.start(1, null);
        ControllerResult<BrokerHeartbeatResponse> r = h.controller.heartbeat(h.image,
                new BrokerHeartbeatRequest(1, h.epoch(1) - 1, h.image.offset(), true, true), h.time.milliseconds());
        assertEquals(Errors.STALE_BROKER_EPOCH, r.response().error().error());
        assertEquals(List.of(), r.records());
        assertEquals(Errors.STALE_BROKER_EPOCH, h.controller.heartbeat(h.image,
                new BrokerHeartbeatRequest(9, 0, 0, false, false), 0).response().error().error());
    }

    @Test
    void aSecondProcessWithTheSameIdIsRefusedWhileTheFirstStillHeartbeats() {
        h.start(1, null);
        h.time.advance(ControllerHarness.SESSION_MS - 1);
        RegisterBrokerRequest other = new RegisterBrokerRequest(1, Uuid.randomUuid(), "elsewhere", 1, 2, null, true);
        ControllerResult<RegisterBrokerResponse> r = h.controller.registerBroker(h.image, other, h.time.milliseconds());
        assertEquals(Errors.DUPLICATE_BROKER_REGISTRATION, r.response().error().error());
        assertEquals(List.of(), r.records());
        h.heartbeat(1);
        h.time.advance(ControllerHarness.SESSION_MS + 1);
        RegisterBrokerResponse ok = h.run(h.controller.registerBroker(h.image, other, h.time.milliseconds()));
        assertTrue(ok.error().isSuccess());
        assertEquals("elsewhere", h.broker(1).host());
        assertTrue(h.broker(1).fenced());
    }

    @Test
    void aRestartedBrokerReRegistersAtOnceWhenItsOldRegistrationIsFenced() {
        h.start(1, null);
        h.heartbeat(1, true, false);
        assertTrue(h.broker(1).fenced());
        long old = h.epoch(1);
        h.register(1, null);
        assertTrue(h.epoch(1) > old);
    }

    @Test
    void reRegisteringAnUnfencedBrokerFencesTheOldIncarnationFirst() {
        h.start(1, null);
        h.start(2, null);
        h.createTopic("t", 1, 2);
        int leader = h.partition("t", 0).leader();
        h.time.advance(ControllerHarness.SESSION_MS + 1);
        h.heartbeat(leader == 1 ? 2 : 1);
        h.register(leader, null);
        assertEquals(leader == 1 ? 2 : 1, h.partition("t", 0).leader());
        assertEquals(List.of(leader == 1 ? 2 : 1), h.partition("t", 0).isr());
        assertEquals(1, h.partition("t", 0).leaderEpoch());
    }

    @Test
    void anExpiredSessionFencesTheBroker() {
        h.start(1, null);
        h.start(2, null);
        h.time.advance(ControllerHarness.SESSION_MS);
        assertEquals(List.of(), h.run(h.controller.fenceExpiredBrokers(h.image, h.time.milliseconds())));
        h.heartbeat(2);
        h.time.advance(1);
        assertEquals(List.of(1), h.run(h.controller.fenceExpiredBrokers(h.image, h.time.milliseconds())));
        assertTrue(h.broker(1).fenced());
        assertFalse(h.broker(2).fenced());
    }

    @Test
    void aNewControllerGivesEveryBrokerAFullSessionFromItsElection() {
        h.start(1, null);
        h.time.advance(ControllerHarness.SESSION_MS - 10);
        h.failover();
        h.time.advance(ControllerHarness.SESSION_MS);
        assertEquals(List.of(), h.run(h.controller.fenceExpiredBrokers(h.image, h.time.milliseconds())));
        h.time.advance(1);
        assertEquals(List.of(1), h.run(h.controller.fenceExpiredBrokers(h.image, h.time.milliseconds())));
    }

    @Test
    void aMemberLeftHintFencesAtOnceButOnlyTheNamedIncarnation() {
        h.start(1, null);
        ApiError wrong = h.run(h.controller.brokerLeft(h.image, 1, Uuid.randomUuid(), h.time.milliseconds()));
        assertEquals(Errors.STALE_BROKER_EPOCH, wrong.error());
        assertFalse(h.broker(1).fenced());
        assertTrue(h.run(h.controller.brokerLeft(h.image, 1, h.broker(1).incarnationId(), h.time.milliseconds())).isSuccess());
        assertTrue(h.broker(1).fenced());
        h.register(1, null); // the restarted process may register at once
    }

    @Test
    void aHintKeptFromBeforeTheElectionIsIgnoredForABrokerThatHeartbeatedSince() {
        h.start(1, null);
        h.start(2, null);
        h.failover();
        Uuid one = h.broker(1).incarnationId();
        Uuid two = h.broker(2).incarnationId();
        h.time.advance(100);
        h.heartbeat(1); // alive: the member that kept the hint was the one cut off from the grid
        assertTrue(h.run(h.controller.brokerLeftBeforeElection(h.image, 1, one, h.time.milliseconds())).isSuccess());
        assertFalse(h.broker(1).fenced(), "a broker heard since the election is not fenced on an older hint");
        assertTrue(h.run(h.controller.brokerLeftBeforeElection(h.image, 2, two, h.time.milliseconds())).isSuccess());
        assertTrue(h.broker(2).fenced(), "a broker silent since the election is fenced on the hint");
    }

    @Test
    void controlledShutdownMovesLeadershipThenFencesOnceOthersCaughtUp() {
        h.start(1, null);
        h.start(2, null);
        h.createTopic("t", 4, 2);
        BrokerHeartbeatResponse first = h.heartbeat(1, false, true);
        assertTrue(first.inControlledShutdown());
        assertFalse(first.shouldShutDown());
        for (int p = 0; p < 4; p++) {
            assertEquals(2, h.partition("t", p).leader());
            assertEquals(List.of(2), h.partition("t", p).isr());
        }
        // broker 2 has not reported the moves yet: broker 1 must wait
        assertFalse(h.heartbeat(1, false, true).shouldShutDown());
        h.heartbeat(2);
        BrokerHeartbeatResponse done = h.heartbeat(1, false, true);
        assertTrue(done.shouldShutDown());
        assertTrue(h.broker(1).fenced());
    }

    @Test
    void aBrokerLeadingNothingShutsDownAtOnceAndASoleLeaderGoesOffline() {
        h.start(1, null);
        h.start(2, null);
        h.run(h.controller.createTopic(h.image, new CreateTopicRequest("solo", -1, (short) -1, List.of(List.of(1)), null)));
        BrokerHeartbeatResponse r = h.heartbeat(2, false, true);
        assertTrue(r.shouldShutDown());
        assertTrue(h.broker(2).fenced());
        assertTrue(h.heartbeat(1, false, true).inControlledShutdown());
        assertEquals(MetadataRecord.NO_LEADER, h.partition("solo", 0).leader());
        assertEquals(List.of(1), h.partition("solo", 0).isr());
    }

    @Test
    void aFencedBrokerAskingToShutDownMayStopAtOnce() {
        h.register(1, null);
        BrokerHeartbeatResponse r = h.heartbeat(1, false, true);
        assertTrue(r.shouldShutDown());
        assertTrue(r.fenced());
    }
}
