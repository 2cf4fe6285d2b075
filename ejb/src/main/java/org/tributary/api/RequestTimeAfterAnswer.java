package org.tributary.api;

import java.util.function.LongConsumer;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.tributary.network.NetworkRequest;
import org.tributary.security.ClientQuotaManager;

/**
 * The part of a request's thread time known only after its throttle was decided (KIP-124): the
 * handler thread's encoding of the answer, and the network threads' reading of the request and
 * writing of the answer, TLS work included. Recorded against the client's request-time quota once
 * the answer is out, without throttling that answer: it counts toward the throttle of the client's
 * next requests, as Kafka's {@code recordNoThrottle} of the network thread time.
 */
final class RequestTimeAfterAnswer implements LongConsumer {
    private final ClientQuotaManager quotas;
    private final KafkaPrincipal principal;
    private final String clientId;
    /** Written by the handler thread before the answer is handed to the network, which publishes it. */
    private long encodeNanos;

    private RequestTimeAfterAnswer(ClientQuotaManager quotas, KafkaPrincipal principal, String clientId) {
        this.quotas = quotas;
        this.principal = principal;
        this.clientId = clientId;
    }

    /** Registers the recording on {@code request} (before it is answered) and returns it. */
    static RequestTimeAfterAnswer of(ClientQuotaManager quotas, RequestContext ctx, NetworkRequest request) {
        RequestTimeAfterAnswer r = new RequestTimeAfterAnswer(quotas, ctx.principal(), ctx.clientId());
        request.onNetworkTime(r);
        return r;
    }

    void encoded(long nanos) {
        encodeNanos = nanos;
    }

    /** On the network thread, once the answer is out. */
    @Override
    public void accept(long networkNanos) {
        quotas.recordNoThrottle(ClientQuotaManager.Type.REQUEST, principal, clientId, networkNanos + encodeNanos,
                System.currentTimeMillis());
    }
}
