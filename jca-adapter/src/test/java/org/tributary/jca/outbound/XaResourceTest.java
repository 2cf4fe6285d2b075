package org.tributary.jca.outbound;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.resource.spi.ConnectionEvent;
import jakarta.resource.spi.ConnectionEventListener;
import jakarta.resource.spi.TransactionSupport.TransactionSupportLevel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The XA state machine and recovery over a fake KIP-939 broker (no network): codes per the XA specification. */
class XaResourceTest {
    @TempDir
    Path dir;

    private final FakeTwoPhaseBroker broker = new FakeTwoPhaseBroker();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final List<Integer> events = new ArrayList<>();

    private TxnResourceManager rm() {
        return new TxnResourceManager("pool-server1", dir, broker::producer, now::get);
    }

    private TributaryManagedConnection connection(TxnResourceManager rm) {
        String tid = rm.allocate();
        FakeTwoPhaseBroker.Producer p = broker.producer(tid);
        p.init();
        TributaryManagedConnection mc = new TributaryManagedConnection(new TributaryManagedConnectionFactory(), p, rm,
                TransactionSupportLevel.XATransaction);
        mc.addConnectionEventListener(new ConnectionEventListener() {
            @Override public void connectionClosed(ConnectionEvent e) { events.add(e.getId()); }
            @Override public void localTransactionStarted(ConnectionEvent e) { events.add(e.getId()); }
            @Override public void localTransactionCommitted(ConnectionEvent e) { events.add(e.getId()); }
            @Override public void localTransactionRolledback(ConnectionEvent e) { events.add(e.getId()); }
            @Override public void connectionErrorOccurred(ConnectionEvent e) { events.add(e.getId()); }
        });
        return mc;
    }

    private static Xid xid(int n) {
        return new XidValue(4711, ("gtrid-" + n).getBytes(StandardCharsets.UTF_8), new byte[] {1});
    }

    private static void send(TributaryManagedConnection mc, String value) throws Exception {
        ConnectionHandle h = (ConnectionHandle) mc.getConnection(null, null);
        h.send("orders", "k", value);
        h.close();
    }

    private static int code(XAException e) {
        return e.errorCode;
    }

    @Test
    void twoPhaseCommitRecordsTheXidBeforePrepareAndForgetsItAfterCommit() throws Exception {
        TxnResourceManager rm = rm();
        TributaryManagedConnection mc = connection(rm);
        XAResource xa = mc.getXAResource();
        xa.start(xid(1), XAResource.TMNOFLAGS);
        send(mc, "a");
        send(mc, "b");
        xa.end(xid(1), XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_OK, xa.prepare(xid(1)));
        Path record = dir.resolve("pool-server1").resolve("pool-server1-0.xa");
        assertEquals(List.of(XidValue.of(xid(1)).encode(), broker.prepared.get("pool-server1-0").toString()),
                Files.readAllLines(record), "the Xid, then the prepared state");
        assertTrue(broker.prepared.containsKey("pool-server1-0"));
        xa.commit(xid(1), false);
        assertEquals(1, broker.committedTxns.get("pool-server1-0"));
        assertFalse(Files.exists(record));
        assertEquals(2, ((FakeTwoPhaseBroker.Producer) mc.txnProducer()).mock.history().size());
        // the connection is free for the next branch
        xa.start(xid(2), XAResource.TMNOFLAGS);
        xa.end(xid(2), XAResource.TMSUCCESS);
        xa.rollback(xid(2));
    }

    @Test
    void onePhaseCommitAndRollback() throws Exception {
        TributaryManagedConnection mc = connection(rm());
        XAResource xa = mc.getXAResource();
        xa.start(xid(1), XAResource.TMNOFLAGS);
        send(mc, "a");
        xa.end(xid(1), XAResource.TMSUCCESS);
        xa.commit(xid(1), true);
        assertEquals(1, broker.committedTxns.get("pool-server1-0"));

        xa.start(xid(2), XAResource.TMNOFLAGS);
        send(mc, "b");
        xa.end(xid(2), XAResource.TMFAIL);
        XAException e = assertThrows(XAException.class, () -> xa.prepare(xid(2)));
        assertEquals(XAException.XA_RBROLLBACK, code(e));
        assertEquals(1, broker.abortedTxns.get("pool-server1-0"));
        assertEquals(XAException.XAER_NOTA, code(assertThrows(XAException.class, () -> xa.commit(xid(2), false))));
    }

    @Test
    void aBranchThatSentNothingVotesReadOnlyAndIsOver() throws Exception {
        TributaryManagedConnection mc = connection(rm());
        XAResource xa = mc.getXAResource();
        xa.start(xid(1), XAResource.TMNOFLAGS);
        xa.end(xid(1), XAResource.TMSUCCESS);
        assertEquals(XAResource.XA_RDONLY, xa.prepare(xid(1)));
        assertTrue(broker.prepared.isEmpty());
        assertFalse(Files.exists(dir.resolve("pool-server1").resolve("pool-server1-0.xa")));
        assertEquals(XAException.XAER_NOTA, code(assertThrows(XAException.class, () -> xa.commit(xid(1), false))));
        xa.start(xid(2), XAResource.TMNOFLAGS); // the producer is free again
    }

    @Test
    void protocolErrorsCarryTheXaCodes() throws Exception {
        TributaryManagedConnection mc = connection(rm());
        XAResource xa = mc.getXAResource();
        assertEquals(XAException.XAER_NOTA, code(assertThrows(XAException.class, () -> xa.prepare(xid(9)))));
        assertEquals(XAException.XAER_NOTA, code(assertThrows(XAException.class, () -> xa.rollback(xid(9)))));
        assertEquals(XAException.XAER_NOTA, code(assertThrows(XAException.class, () -> xa.forget(xid(9)))));
        xa.start(xid(1), XAResource.TMNOFLAGS);
        // one producer runs one Kafka transaction: a second branch on the same connection is refused
        assertEquals(XAException.XAER_PROTO, code(assertThrows(XAException.class, () -> xa.start(xid(2), XAResource.TMNOFLAGS))));
        assertEquals(XAException.XAER_PROTO, code(assertThrows(XAException.class, () -> xa.prepare(xid(1)))));
        xa.end(xid(1), XAResource.TMSUSPEND);
        xa.start(xid(1), XAResource.TMRESUME);
        send(mc, "a");
        xa.end(xid(1), XAResource.TMSUCCESS);
        // after end, sending is refused until the branch completes
        ConnectionHandle h = (ConnectionHandle) mc.getConnection(null, null);
        assertThrows(jakarta.resource.ResourceException.class, () -> h.send("orders", "k", "late"));
        assertEquals(XAException.XAER_PROTO, code(assertThrows(XAException.class, () -> xa.commit(xid(1), false))));
        assertFalse(xa.isSameRM(connection(rm()).getXAResource()));
        assertTrue(xa.isSameRM(xa));
        xa.commit(xid(1), true);
    }

    @Test
    void aBranchOlderThanItsTimeoutIsRolledBackAtPrepare() throws Exception {
        TributaryManagedConnection mc = connection(rm());
        XAResource xa = mc.getXAResource();
        assertTrue(xa.setTransactionTimeout(5));
        assertEquals(5, xa.getTransactionTimeout());
        xa.start(xid(1), XAResource.TMNOFLAGS);
        send(mc, "a");
        xa.end(xid(1), XAResource.TMSUCCESS);
        now.addAndGet(6_000);
        assertEquals(XAException.XA_RBTIMEOUT, code(assertThrows(XAException.class, () -> xa.prepare(xid(1)))));
        assertNull(broker.committedTxns.get("pool-server1-0"));
    }

    @Test
    void afterACrashRecoverReturnsThePreparedXidAndCommitCompletesIt() throws Exception {
        TxnResourceManager before = rm();
        TributaryManagedConnection a = connection(before);
        TributaryManagedConnection b = connection(before);
        XAResource xa = a.getXAResource();
        XAResource xb = b.getXAResource();
        xa.start(xid(1), XAResource.TMNOFLAGS);
        xb.start(xid(2), XAResource.TMNOFLAGS);
        send(a, "a");
        send(b, "b");
        xa.end(xid(1), XAResource.TMSUCCESS);
        xb.end(xid(2), XAResource.TMSUCCESS);
        xa.prepare(xid(1));
        xb.prepare(xid(2));
        // the server dies: nothing is closed, committed or aborted; a new JVM sees only the files and the broker

        TxnResourceManager after = rm();
        // the ids holding branches in doubt are not handed to new connections (a plain init would abort them)
        TributaryManagedConnection fresh = connection(after);
        assertEquals("pool-server1-2", fresh.txnProducer().transactionalId());
        XAResource recovery = fresh.getXAResource();
        Xid[] found = recovery.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        assertEquals(2, found.length);
        assertTrue(List.of(found).contains(XidValue.of(xid(1))));
        assertTrue(List.of(found).contains(XidValue.of(xid(2))));
        assertArrayEquals(new Xid[0], recovery.recover(XAResource.TMENDRSCAN));

        recovery.commit(xid(1), false);
        recovery.rollback(xid(2));
        assertEquals(1, broker.committedTxns.get("pool-server1-0"));
        assertEquals(1, broker.abortedTxns.get("pool-server1-1"));
        assertTrue(broker.prepared.isEmpty());
        assertEquals(0, recovery.recover(XAResource.TMSTARTRSCAN).length);
        assertEquals("pool-server1-0", after.allocate()); // both ids are free again
        assertEquals("pool-server1-1", after.allocate());
    }

    @Test
    void aRecordWhoseIdKeptNoTransactionIsStaleAndRemoved() throws Exception {
        TxnResourceManager rm = rm();
        rm.log().record("pool-server1-7", XidValue.of(xid(3)));
        assertEquals(0, rm.recover().size());
        assertFalse(rm.log().holds("pool-server1-7"));
    }

    @Test
    void aKeptTransactionThatIsNotTheRecordedOneIsAbortedNotReported() throws Exception {
        TxnResourceManager rm = rm();
        rm.log().prepared("pool-server1-5", XidValue.of(xid(4)), new TwoPhase.State(1, (short) 0));
        broker.prepared.put("pool-server1-5", new TwoPhase.State(2, (short) 0)); // another producer's transaction
        assertEquals(0, rm.recover().size());
        assertEquals(1, broker.abortedTxns.get("pool-server1-5"));
        assertFalse(rm.log().holds("pool-server1-5"));
    }

    @Test
    void aFencedProducerFailsTheConnectionSoThePoolDestroysIt() throws Exception {
        TributaryManagedConnection mc = connection(rm());
        XAResource xa = mc.getXAResource();
        xa.start(xid(1), XAResource.TMNOFLAGS);
        send(mc, "a");
        xa.end(xid(1), XAResource.TMSUCCESS);
        ((FakeTwoPhaseBroker.Producer) mc.txnProducer()).fenced = true;
        assertEquals(XAException.XAER_RMFAIL, code(assertThrows(XAException.class, () -> xa.commit(xid(1), true))));
        assertTrue(events.contains(ConnectionEvent.CONNECTION_ERROR_OCCURRED));
    }

    @Test
    void localTransactionsCommitAndRollBackOneKafkaTransaction() throws Exception {
        TributaryManagedConnection mc = connection(rm());
        ConnectionHandle h = (ConnectionHandle) mc.getConnection(null, null);
        jakarta.resource.cci.LocalTransaction lt = h.getLocalTransaction();
        lt.begin();
        h.send("orders", "k", "1");
        h.send("orders", "k", "2");
        lt.commit();
        lt.begin();
        h.send("orders", "k", "3");
        lt.rollback();
        h.send("orders", "k", "4"); // outside a transaction: committed on its own
        assertEquals(2, broker.committedTxns.get("pool-server1-0"));
        assertEquals(1, broker.abortedTxns.get("pool-server1-0"));
        assertEquals(List.of(ConnectionEvent.LOCAL_TRANSACTION_STARTED, ConnectionEvent.LOCAL_TRANSACTION_COMMITTED,
                ConnectionEvent.LOCAL_TRANSACTION_STARTED, ConnectionEvent.LOCAL_TRANSACTION_ROLLEDBACK), events);
        // the container's SPI local transaction cannot be ended by the application and the other way round
        mc.getLocalTransaction().begin();
        assertThrows(jakarta.resource.ResourceException.class, lt::commit);
        mc.getLocalTransaction().commit();
    }
}
