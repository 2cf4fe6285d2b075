package org.tributary.jca.outbound;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * One XA resource manager: the transactional ids {@code <base>-<n>} of one connection pool on one
 * server, their recovery log and the branches they run. Ids are handed out smallest first and
 * reused after a connection is destroyed, so the same few ids come back after a restart; an id
 * whose branch may be in doubt (its recovery record exists) is never handed to a new connection
 * (a plain {@code initTransactions()} would abort the prepared transaction) until recovery
 * completed it. Every XA resource of the pool finds the branches here, so a transaction manager may
 * complete a branch through any of them, and recovery finds them after a restart.
 */
final class TxnResourceManager {
    private static final Logger LOG = Logger.getLogger(TxnResourceManager.class.getName());
    private static final Map<String, TxnResourceManager> ALL = new ConcurrentHashMap<>();

    private final String base;
    private final RecoveryLog log;
    private final Function<String, TxnProducer> twoPhaseProducers;
    private final LongSupplier clock;
    private final BitSet inUse = new BitSet();
    private final Map<XidValue, XaBranch> branches = new ConcurrentHashMap<>();

    TxnResourceManager(String base, Path recoveryDir, Function<String, TxnProducer> twoPhaseProducers, LongSupplier clock) {
        this.base = base;
        this.log = new RecoveryLog(recoveryDir.resolve(base));
        this.twoPhaseProducers = twoPhaseProducers;
        this.clock = clock;
    }

    /** The shared manager for {@code base} in {@code recoveryDir} (one per pool and server in this JVM). */
    static TxnResourceManager of(String base, Path recoveryDir, Function<String, TxnProducer> twoPhaseProducers) {
        return ALL.computeIfAbsent(recoveryDir.toAbsolutePath() + "|" + base,
                k -> new TxnResourceManager(base, recoveryDir, twoPhaseProducers, System::currentTimeMillis));
    }

    String base() {
        return base;
    }

    RecoveryLog log() {
        return log;
    }

    long now() {
        return clock.getAsLong();
    }

    /** The smallest free transactional id that holds no branch in doubt. */
    synchronized String allocate() {
        for (int n = 0; ; n++) {
            if (!inUse.get(n) && !log.holds(id(n))) {
                inUse.set(n);
                return id(n);
            }
        }
    }

    synchronized void release(String transactionalId) {
        String prefix = base + "-";
        if (transactionalId.startsWith(prefix)) {
            try {
                inUse.clear(Integer.parseInt(transactionalId.substring(prefix.length())));
            } catch (NumberFormatException e) {
                // not one of ours
            }
        }
    }

    private String id(int n) {
        return base + "-" + n;
    }

    XaBranch branch(XidValue xid) {
        return branches.get(xid);
    }

    /** Registers a new branch; {@code false} if the Xid already names one. */
    boolean register(XaBranch b) {
        return branches.putIfAbsent(b.xid, b) == null;
    }

    void completed(XaBranch b) {
        branches.remove(b.xid, b);
        if (b.owner == null) { // a recovered branch's producer served only this branch
            try {
                b.producer.close();
            } catch (RuntimeException e) {
                LOG.fine("closing a recovery producer: " + e);
            }
        }
    }

    /** The branch's connection is gone: recovery owns the branch from now on (its record stays). */
    void orphaned(XaBranch b) {
        branches.remove(b.xid, b);
    }

    /**
     * The prepared branches: those of this JVM, and for every recovery record no live branch
     * accounts for, the transaction the broker kept for that id ({@code initTransactions(true)}).
     * A record whose id has nothing kept is stale (the branch finished or never prepared) and is removed.
     */
    synchronized List<XidValue> recover() {
        for (Map.Entry<String, RecoveryLog.Entry> e : log.entries().entrySet()) {
            String tid = e.getKey();
            XidValue xid = e.getValue().xid();
            TwoPhase.State recorded = e.getValue().prepared();
            if (branches.values().stream().anyMatch(b -> b.producer.transactionalId().equals(tid))) {
                continue;
            }
            TxnProducer p = twoPhaseProducers.apply(tid);
            TwoPhase.State kept;
            try {
                kept = p.initKeepingPrepared();
            } catch (RuntimeException x) {
                p.close();
                throw x;
            }
            if (kept == null) {
                p.close();
                log.forget(tid);
                LOG.info("TRIB-JCA-062 transactional id " + tid + " holds no prepared transaction; its recovery record for " + xid + " is removed");
            } else if (recorded != null && !recorded.equals(kept)) {
                // not the transaction this record prepared (KIP-939: a state that does not match is aborted)
                try {
                    p.abort();
                } finally {
                    p.close();
                }
                log.forget(tid);
                LOG.warning("TRIB-JCA-065 transactional id " + tid + " kept transaction " + kept + ", not " + recorded
                        + " which branch " + xid + " prepared; it was aborted and the record removed");
            } else {
                branches.put(xid, new XaBranch(xid, p, null, now(), XaBranch.State.PREPARED));
                LOG.info("TRIB-JCA-063 recovered prepared branch " + xid + " on " + tid + " (producer " + kept + ")");
            }
        }
        List<XidValue> out = new ArrayList<>();
        for (XaBranch b : branches.values()) {
            if (b.state == XaBranch.State.PREPARED) {
                out.add(b.xid);
            }
        }
        return out;
    }
}
