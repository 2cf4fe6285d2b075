package org.tributary.jca.outbound;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;

/**
 * The two KIP-939 producer calls the XA support needs: prepare (flush, then keep the transaction
 * open for an external coordinator) and initialise while keeping a prepared transaction
 * ({@code initTransactions(true)}). kafka-clients 4.3 implements both in its transaction manager
 * (and honours {@code transaction.two.phase.commit.enable}) but does not publish them on
 * {@code KafkaProducer} yet; a client that publishes them is called directly, 4.3 through its
 * transaction manager. Kept in this one class so the day the public methods are everywhere it
 * shrinks to two direct calls.
 */
final class TwoPhase {
    private TwoPhase() {
    }

    /** The producer id and epoch of a prepared transaction (KIP-939's PreparedTxnState). */
    record State(long producerId, short epoch) {
        @Override
        public String toString() {
            return producerId + ":" + epoch;
        }
    }

    /** Flushes and prepares the ongoing transaction; returns its state. */
    static State prepare(Producer<byte[], byte[]> producer) {
        Object published = callPublished(producer, "prepareTransaction", new Class<?>[0]);
        if (published != null) {
            return state(published, "producerId", "epoch");
        }
        producer.flush();
        Object tm = field(producer, "transactionManager");
        invoke(tm, "prepareTransaction", new Class<?>[0]);
        return preparedState(tm);
    }

    /**
     * {@code initTransactions(keepPreparedTxn = true)}: returns the state of the transaction the
     * broker kept for this transactional id, or {@code null} when there was none.
     */
    static State initKeepingPrepared(Producer<byte[], byte[]> producer) {
        Object tm;
        if (callPublished(producer, "initTransactions", new Class<?>[] {boolean.class}, true) != null) {
            tm = field(producer, "transactionManager");
        } else {
            tm = field(producer, "transactionManager");
            Object result = invoke(tm, "initializeTransactions", new Class<?>[] {boolean.class}, true);
            invoke(field(producer, "sender"), "wakeup", new Class<?>[0]);
            long maxBlock = (Long) field(producer, "maxBlockTimeMs");
            invoke(result, "await", new Class<?>[] {long.class, TimeUnit.class, String.class},
                    maxBlock, TimeUnit.MILLISECONDS, "initialising the transactional producer (keeping a prepared transaction)");
        }
        return Boolean.TRUE.equals(invoke(tm, "isPrepared", new Class<?>[0])) ? preparedState(tm) : null;
    }

    /**
     * The InitProducerId version this producer uses with its transaction coordinator (the highest
     * both the client and the broker offer), or -1 if unknown. KIP-939 two-phase commit needs 6
     * ({@code enable_2pc}, {@code keep_prepared_txn}). kafka-clients 4.3 stops at 5 (it marks v6
     * unstable) and then drops the two-phase flag without a word: its "prepared" transaction would
     * time out like any other and be aborted by the next initialisation, so XA must refuse it.
     */
    static int initProducerIdVersion(Producer<byte[], byte[]> producer) {
        // what this client would build for a two-phase InitProducerId (4.3.1 caps it at the stable 5)
        int client = new org.apache.kafka.common.requests.InitProducerIdRequest.Builder(
                new org.apache.kafka.common.message.InitProducerIdRequestData().setEnable2Pc(true)).latestAllowedVersion();
        Object tm = field(producer, "transactionManager");
        Object node = declared(tm, "transactionCoordinator");
        Object versions = declared(tm, "apiVersions");
        if (node == null || versions == null) {
            return -1;
        }
        Object nodeVersions = invoke(versions, "get", new Class<?>[] {String.class}, ((org.apache.kafka.common.Node) node).idString());
        if (nodeVersions == null) {
            return -1;
        }
        try {
            return Math.min(client, ((Number) invoke(nodeVersions, "latestUsableVersion",
                    new Class<?>[] {org.apache.kafka.common.protocol.ApiKeys.class},
                    org.apache.kafka.common.protocol.ApiKeys.INIT_PRODUCER_ID)).intValue());
        } catch (RuntimeException e) { // no version both sides offer
            return -1;
        }
    }

    private static Object declared(Object o, String name) {
        try {
            Field f = o.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.get(o);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new KafkaException("this kafka-clients version offers no KIP-939 two-phase commit (" + name + ")", e);
        }
    }

    private static State preparedState(Object tm) {
        return state(invoke(tm, "preparedTransactionState", new Class<?>[0]), "producerId", "epoch");
    }

    private static State state(Object o, String pid, String epoch) {
        try {
            Object p = readMember(o, pid);
            Object e = readMember(o, epoch);
            return new State(((Number) p).longValue(), ((Number) e).shortValue());
        } catch (ReflectiveOperationException x) {
            throw new KafkaException("this kafka-clients version has no readable prepared transaction state", x);
        }
    }

    private static Object readMember(Object o, String name) throws ReflectiveOperationException {
        try {
            return o.getClass().getMethod(name).invoke(o);
        } catch (NoSuchMethodException e) {
            Field f = o.getClass().getField(name);
            return f.get(o);
        }
    }

    /** Calls a public producer method if this client has it; {@code null} when it does not (or returns nothing). */
    private static Object callPublished(Producer<byte[], byte[]> producer, String name, Class<?>[] types, Object... args) {
        Method m;
        try {
            m = producer.getClass().getMethod(name, types);
        } catch (NoSuchMethodException e) {
            return null;
        }
        Object r = call(m, producer, args);
        return r == null ? Boolean.TRUE : r;
    }

    private static Object field(Object o, String name) {
        if (!(o instanceof KafkaProducer<?, ?>) && o instanceof Producer<?, ?>) {
            throw new KafkaException("two-phase commit needs a KafkaProducer, not " + o.getClass().getName());
        }
        try {
            Field f = o.getClass().getDeclaredField(name);
            f.setAccessible(true);
            return f.get(o);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new KafkaException("this kafka-clients version offers no KIP-939 two-phase commit (" + name + ")", e);
        }
    }

    private static Object invoke(Object target, String name, Class<?>[] types, Object... args) {
        try {
            Method m = target.getClass().getMethod(name, types);
            return call(m, target, args);
        } catch (NoSuchMethodException e) {
            throw new KafkaException("this kafka-clients version offers no KIP-939 two-phase commit (" + name + ")", e);
        }
    }

    private static Object call(Method m, Object target, Object... args) {
        try {
            m.setAccessible(true);
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new KafkaException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new KafkaException("cannot call " + m.getName() + " on the Kafka producer", e);
        }
    }
}
