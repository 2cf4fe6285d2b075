package org.tributary.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.junit.jupiter.api.Test;
import org.tributary.metadata.ClientQuotas;
import org.tributary.util.SampledRate;
import org.tributary.metadata.MetadataDelta;
import org.tributary.metadata.MetadataImage;
import org.tributary.metadata.MetadataRecord;
import org.tributary.metadata.MetadataRecord.ClientQuotaRecord;

class ClientQuotaManagerTest {
    private static final String D = ClientQuotas.DEFAULT;
    private static final KafkaPrincipal ALICE = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice");

    private static ClientQuotas quotas(MetadataRecord... records) {
        return MetadataDelta.apply(MetadataImage.EMPTY, List.of(records), 0, 0).quotas();
    }

    private static ClientQuotaRecord set(String user, String client, String key, double v) {
        return new ClientQuotaRecord(ClientQuotas.entity(user, client), key, v, false);
    }

    @Test
    void theMostSpecificQuotaAppliesInKafkasOrder() {
        String p = ClientQuotas.PRODUCER_BYTE_RATE;
        ClientQuotas all = quotas(set(null, D, p, 8), set(null, "app", p, 7), set(D, null, p, 6), set(D, D, p, 5),
                set(D, "app", p, 4), set("alice", null, p, 3), set("alice", D, p, 2),
                set("alice", "app", p, 1));
        ClientQuotaManager.Type t = ClientQuotaManager.Type.PRODUCE;
        assertEquals(1, ClientQuotaManager.applied(all, t, "alice", "app").bound());
        assertEquals(2, ClientQuotaManager.applied(all, t, "alice", "other").bound());
        assertEquals(4, ClientQuotaManager.applied(all, t, "bob", "app").bound());
        assertEquals(5, ClientQuotaManager.applied(all, t, "bob", "other").bound());
        // a quota on a user alone is shared by all of its clients; a default counts each client separately
        ClientQuotas userOnly = quotas(set("alice", null, p, 3), set(null, D, p, 8));
        ClientQuotaManager.Applied a = ClientQuotaManager.applied(userOnly, t, "alice", "x");
        assertEquals(new ClientQuotaManager.Applied(3, "alice", ""), a);
        assertEquals(new ClientQuotaManager.Applied(8, "", "y"), ClientQuotaManager.applied(userOnly, t, "bob", "y"));
        // another type's quota does not apply
        assertNull(ClientQuotaManager.applied(userOnly, ClientQuotaManager.Type.FETCH, "alice", "x"));
        assertNull(ClientQuotaManager.applied(ClientQuotas.EMPTY, t, "alice", "x"));
    }

    @Test
    void aClientWithinItsRateIsNotThrottledAndOneAboveItIsForTheTimeThatBringsItBack() {
        AtomicReference<ClientQuotas> q = new AtomicReference<>(quotas(set(null, D, ClientQuotas.PRODUCER_BYTE_RATE, 1000)));
        ClientQuotaManager m = new ClientQuotaManager(q::get, 11, 1000);
        ClientQuotaManager.Type t = ClientQuotaManager.Type.PRODUCE;
        long now = 1_000_000;
        // 1000 B/s over the first 10 s (the minimum span): 10,000 bytes pass at once, no more
        assertEquals(0, m.recordAndGetThrottleMs(t, ALICE, "c", 9_000, now));
        long throttle = m.recordAndGetThrottleMs(t, ALICE, "c", 2_000, now);
        // rate 1100 B/s over 10 s: (1100 - 1000) / 1000 * 10 s = 1 s
        assertEquals(1000, throttle);
        // steady at 90 % of the quota for 30 s: never throttled
        AtomicReference<ClientQuotaManager> steady = new AtomicReference<>(new ClientQuotaManager(q::get, 11, 1000));
        for (int s = 0; s < 30; s++) {
            assertEquals(0, steady.get().recordAndGetThrottleMs(t, ALICE, "c", 900, now + s * 1000L), "second " + s);
        }
        // removing the quota stops throttling at once
        q.set(ClientQuotas.EMPTY);
        assertEquals(0, m.recordAndGetThrottleMs(t, ALICE, "c", 1_000_000, now + 1));
    }

    @Test
    void aThrottleIsBoundedByTheWholeWindowAndRequestTimeByOneWindow() {
        ClientQuotas q = quotas(set(D, null, ClientQuotas.PRODUCER_BYTE_RATE, 10), set(D, null, ClientQuotas.REQUEST_PERCENTAGE, 1));
        ClientQuotaManager m = new ClientQuotaManager(() -> q, 11, 1000);
        assertEquals(11_000, m.recordAndGetThrottleMs(ClientQuotaManager.Type.PRODUCE, ALICE, "c", 1e9, 0));
        // 1 % of one thread = 10 ms of handler time per second; 2 s of handler time is far over it
        assertEquals(1000, m.recordAndGetThrottleMs(ClientQuotaManager.Type.REQUEST, ALICE, "c", 2e9, 0));
    }

    @Test
    void timeRecordedAfterAnAnswerThrottlesTheClientsNextRequestsOnly() {
        ClientQuotas q = quotas(set(D, null, ClientQuotas.REQUEST_PERCENTAGE, 10));
        ClientQuotaManager m = new ClientQuotaManager(() -> q, 11, 1000);
        ClientQuotaManager.Type t = ClientQuotaManager.Type.REQUEST;
        KafkaPrincipal bob = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "bob");
        long now = 1_000_000;
        // 10 % of one thread: 1 s of thread time over the first 10 s. The handler took 1 ms: not throttled
        assertEquals(0, m.recordAndGetThrottleMs(t, ALICE, "c", 1e6, now));
        // writing its answer then took the network thread 1.05 s: recorded, nothing throttled now
        m.recordNoThrottle(t, ALICE, "c", 1.05e9, now);
        // the next request (1 ms more) pays for it: 1.052 s over 10 s is 10.52 %, (10.52 - 10) / 10 x 10 s = 520 ms
        assertEquals(520, m.recordAndGetThrottleMs(t, ALICE, "c", 1e6, now + 1), 3); // the span is a little over 10 s
        // another user's rate is its own
        assertEquals(0, m.recordAndGetThrottleMs(t, bob, "c", 1e6, now + 1));
        // without a quota nothing is recorded
        ClientQuotaManager none = new ClientQuotaManager(() -> ClientQuotas.EMPTY, 11, 1000);
        none.recordNoThrottle(t, ALICE, "c", 1e12, now);
        assertEquals(0, none.recordAndGetThrottleMs(t, ALICE, "c", 1e6, now));
    }

    @Test
    void unrecordedBytesNoLongerCount() {
        ClientQuotas q = quotas(set(null, D, ClientQuotas.CONSUMER_BYTE_RATE, 100));
        ClientQuotaManager m = new ClientQuotaManager(() -> q, 11, 1000);
        ClientQuotaManager.Type t = ClientQuotaManager.Type.FETCH;
        long throttle = m.recordAndGetThrottleMs(t, ALICE, "c", 5_000, 0);
        assertTrue(throttle > 0);
        m.unrecord(t, ALICE, "c", 5_000, 0);
        assertEquals(0, m.recordAndGetThrottleMs(t, ALICE, "c", 500, 0));
    }

    @Test
    void theRateSpansAtLeastAllButOneWindowAndForgetsExpiredWindows() {
        SampledRate r = new SampledRate(11, 1000, 0);
        r.record(10_000, 0);
        assertEquals(1000.0, r.rate(0), 1e-9); // 10,000 over the minimum 10 s
        assertEquals(10_000, r.spanMs(0));
        assertEquals(1000.0, r.rate(5_000), 1e-9);
        assertEquals(10_500, r.spanMs(10_500));
        assertEquals(0.0, r.rate(11_000), 1e-9); // the window holding the bytes has expired
    }

    @Test
    void theMostOneAnswerMayCarryIsTheQuotaOverAllButTheCurrentWindow() {
        ClientQuotas q = quotas(set(D, null, ClientQuotas.CONSUMER_BYTE_RATE, 2000));
        ClientQuotaManager m = new ClientQuotaManager(() -> q, 11, 1000);
        assertEquals(20_000, m.maxValueInQuotaWindow(ClientQuotaManager.Type.FETCH, ALICE, "c"));
        assertEquals(Long.MAX_VALUE, m.maxValueInQuotaWindow(ClientQuotaManager.Type.PRODUCE, ALICE, "c"));
        assertEquals(Long.MAX_VALUE, new ClientQuotaManager(() -> ClientQuotas.EMPTY, 11, 1000)
                .maxValueInQuotaWindow(ClientQuotaManager.Type.FETCH, ALICE, "c"));
        assertEquals(6_000, new ClientQuotaManager(() -> q, 4, 1000).maxValueInQuotaWindow(ClientQuotaManager.Type.FETCH, ALICE, "c"));
    }
}
