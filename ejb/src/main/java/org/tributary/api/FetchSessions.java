package org.tributary.api;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Incremental fetch sessions (KIP-227). A full fetch (epoch 0) opens a session that remembers the
 * partitions and what the last answer told the client; later requests (epoch 1, 2, ...) carry only
 * changed partitions and forgotten ones, and answers carry only partitions with news (records, a
 * moved high watermark or log start offset, an error). Epoch -1 closes the session. When the cache
 * is full and no session is idle long enough to evict, the answer has session id 0: no session.
 *
 * <p>Thread-safe. A session is used by one connection at a time (clients send one fetch per broker
 * at a time); {@link Session} state is guarded by the session's monitor while an answer is built.
 */
final class FetchSessions {
    static final int INVALID_SESSION_ID = 0;
    static final int INITIAL_EPOCH = 0;
    static final int FINAL_EPOCH = -1;

    /** One partition of a fetch, with what the client was last told (sessions only). */
    static final class Wanted {
        final String topic;
        final Uuid topicId;
        final int partition;
        long fetchOffset;
        int maxBytes;
        int currentLeaderEpoch;
        int lastFetchedEpoch = -1;
        long sentHighWatermark = -1;
        long sentLastStableOffset = -1;
        long sentLogStartOffset = -1;
        /** What the fetch handler last resolved this partition to (kept between the requests of a session). */
        FetchHandler.Resolved resolved;

        Wanted(String topic, Uuid topicId, int partition) {
            this.topic = topic;
            this.topicId = topicId;
            this.partition = partition;
        }

        Object key(boolean usesIds) {
            return usesIds ? topicId + ":" + partition : topic + ":" + partition;
        }
    }

    static final class Session {
        final int id;
        final boolean usesIds;
        final LinkedHashMap<Object, Wanted> partitions = new LinkedHashMap<>();
        int nextEpoch = 1;
        long lastUsedNanos = System.nanoTime();

        Session(int id, boolean usesIds) {
            this.id = id;
            this.usesIds = usesIds;
        }
    }

    /** How one request is served: an error, or these partitions (incremental: answer only news). */
    record Context(Errors error, Session session, boolean incremental, List<Wanted> partitions) {
        int sessionId() {
            return session == null ? INVALID_SESSION_ID : session.id;
        }
    }

    private final int maxSessions;
    private final long evictionNanos;
    private final LinkedHashMap<Integer, Session> sessions = new LinkedHashMap<>(16, 0.75f, true);

    FetchSessions(int maxSessions, long evictionMs) {
        this.maxSessions = maxSessions;
        this.evictionNanos = evictionMs * 1_000_000L;
    }

    synchronized int size() {
        return sessions.size();
    }

    synchronized Context newContext(FetchRequestData req, short version) {
        boolean usesIds = version >= 13;
        if (version < 7) {
            return new Context(Errors.NONE, null, false, fromRequest(req, usesIds));
        }
        int id = req.sessionId();
        int epoch = req.sessionEpoch();
        if (epoch == INITIAL_EPOCH || epoch == FINAL_EPOCH) {
            if (id != INVALID_SESSION_ID) {
                sessions.remove(id); // a full request closes the session it names
            }
            List<Wanted> wanted = fromRequest(req, usesIds);
            Session s = epoch == INITIAL_EPOCH ? create(usesIds) : null;
            if (s == null) {
                return new Context(Errors.NONE, null, false, wanted);
            }
            wanted.forEach(w -> s.partitions.put(w.key(usesIds), w));
            return new Context(Errors.NONE, s, false, new ArrayList<>(s.partitions.values()));
        }
        Session s = sessions.get(id);
        if (s == null) {
            return error(Errors.FETCH_SESSION_ID_NOT_FOUND);
        }
        if (s.nextEpoch != epoch) {
            return error(Errors.INVALID_FETCH_SESSION_EPOCH);
        }
        if (s.usesIds != usesIds) {
            sessions.remove(id);
            return error(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
        }
        synchronized (s) {
            for (FetchRequestData.ForgottenTopic f : req.forgottenTopicsData()) {
                for (int p : f.partitions()) {
                    s.partitions.remove(usesIds ? f.topicId() + ":" + p : f.topic() + ":" + p);
                }
            }
            for (Wanted w : fromRequest(req, usesIds)) {
                Wanted known = s.partitions.get(w.key(usesIds));
                if (known == null) {
                    s.partitions.put(w.key(usesIds), w);
                } else {
                    known.fetchOffset = w.fetchOffset;
                    known.maxBytes = w.maxBytes;
                    known.currentLeaderEpoch = w.currentLeaderEpoch;
                    known.lastFetchedEpoch = w.lastFetchedEpoch;
                }
            }
            s.nextEpoch = epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
            s.lastUsedNanos = System.nanoTime();
            return new Context(Errors.NONE, s, true, new ArrayList<>(s.partitions.values()));
        }
    }

    private static Context error(Errors e) {
        return new Context(e, null, false, List.of());
    }

    private Session create(boolean usesIds) {
        if (sessions.size() >= maxSessions) {
            Iterator<Map.Entry<Integer, Session>> lru = sessions.entrySet().iterator();
            if (!lru.hasNext() || System.nanoTime() - lru.next().getValue().lastUsedNanos < evictionNanos) {
                return null;
            }
            lru.remove();
        }
        int id;
        do {
            id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
        } while (sessions.containsKey(id));
        Session s = new Session(id, usesIds);
        sessions.put(id, s);
        return s;
    }

    private static List<Wanted> fromRequest(FetchRequestData req, boolean usesIds) {
        List<Wanted> out = new ArrayList<>();
        for (FetchRequestData.FetchTopic t : req.topics()) {
            for (FetchRequestData.FetchPartition p : t.partitions()) {
                Wanted w = new Wanted(usesIds ? null : t.topic(), usesIds ? t.topicId() : Uuid.ZERO_UUID, p.partition());
                w.fetchOffset = p.fetchOffset();
                w.maxBytes = p.partitionMaxBytes();
                w.currentLeaderEpoch = p.currentLeaderEpoch();
                w.lastFetchedEpoch = p.lastFetchedEpoch();
                out.add(w);
            }
        }
        return out;
    }
}
