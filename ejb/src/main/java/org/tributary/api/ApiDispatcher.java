package org.tributary.api;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import java.util.logging.Logger;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.tributary.audit.AuditEvent;
import org.tributary.audit.AuditSink;
import org.tributary.metadata.MetadataImage;
import org.tributary.metrics.BrokerMetrics;
import org.tributary.network.NetworkRequest;
import org.tributary.network.RequestChannel;
import org.tributary.security.ClientQuotaManager;

/**
 * Decodes frames with kafka-clients' generated classes and routes them through the
 * {@link ApiRegistry} on the request-handler pool. Unknown APIs or versions get
 * UNSUPPORTED_VERSION (ApiVersions: the v0 fallback with the supported list); a frame that cannot
 * be decoded closes only its connection. Errors are logged as one line; clients get error codes.
 */
public final class ApiDispatcher implements RequestChannel {
    private static final Logger LOG = Logger.getLogger(ApiDispatcher.class.getName());

    /**
     * May hold a request back before its handler runs (a decoded request of a supported version).
     * Called on a handler thread; must not block.
     */
    @FunctionalInterface
    public interface Gate {
        /** Lets every request through at once. */
        Gate OPEN = (key, body) -> null;

        /**
         * Null (the usual answer): handle the request now; otherwise a stage whose completion, normal
         * or not, lets it through.
         */
        CompletionStage<?> before(ApiKeys key, AbstractRequest body);
    }

    private final ApiRegistry registry;
    private final ExecutorService handlers;
    private final Supplier<MetadataImage> images;
    private final BrokerMetrics metrics;
    private final ClientQuotaManager quotas;
    private final Supplier<AuditSink> audit;
    private final java.util.function.Predicate<RequestContext> mayClusterAction;
    private final Gate gate;

    public ApiDispatcher(ApiRegistry registry, ExecutorService handlers, Supplier<MetadataImage> images, BrokerMetrics metrics) {
        this(registry, handlers, images, metrics, null);
    }

    /** With {@code quotas} (may be null): produce bytes and request time are recorded and over-quota clients throttled. */
    public ApiDispatcher(ApiRegistry registry, ExecutorService handlers, Supplier<MetadataImage> images, BrokerMetrics metrics,
            ClientQuotaManager quotas) {
        this(registry, handlers, images, metrics, quotas, () -> AuditSink.NONE);
    }

    /** {@code audit}: where every answered change (see {@link AuditedRequests}) is reported, denied ones too. */
    public ApiDispatcher(ApiRegistry registry, ExecutorService handlers, Supplier<MetadataImage> images, BrokerMetrics metrics,
            ClientQuotaManager quotas, Supplier<AuditSink> audit) {
        this(registry, handlers, images, metrics, quotas, audit, ctx -> true);
    }

    /**
     * {@code mayClusterAction}: whether a request's principal holds CLUSTER_ACTION on the cluster;
     * only such a principal's requests between brokers are exempt from quotas.
     */
    public ApiDispatcher(ApiRegistry registry, ExecutorService handlers, Supplier<MetadataImage> images, BrokerMetrics metrics,
            ClientQuotaManager quotas, Supplier<AuditSink> audit, java.util.function.Predicate<RequestContext> mayClusterAction) {
        this(registry, handlers, images, metrics, quotas, audit, mayClusterAction, Gate.OPEN);
    }

    /** {@code gate}: what may hold a request back before its handler runs (see {@link Gate}). */
    public ApiDispatcher(ApiRegistry registry, ExecutorService handlers, Supplier<MetadataImage> images, BrokerMetrics metrics,
            ClientQuotaManager quotas, Supplier<AuditSink> audit, java.util.function.Predicate<RequestContext> mayClusterAction,
            Gate gate) {
        this.gate = java.util.Objects.requireNonNull(gate);
        this.mayClusterAction = mayClusterAction;
        this.registry = registry;
        this.handlers = handlers;
        this.images = images;
        this.metrics = metrics;
        this.quotas = quotas;
        this.audit = audit;
    }

    @Override
    public void onRequest(NetworkRequest request) {
        try {
            handlers.execute(() -> process(request));
        } catch (RejectedExecutionException e) {
            request.closeConnection("broker is shutting down");
        }
    }

    private void process(NetworkRequest request) {
        long dequeued = System.nanoTime();
        ByteBuffer buf = request.payload();
        RequestHeader header;
        try {
            header = RequestHeader.parse(buf);
        } catch (RuntimeException e) {
            request.closeConnection("malformed request header: " + e.getMessage());
            return;
        }
        ApiKeys key = header.apiKey();
        short version = header.apiVersion();
        ApiRegistry.Registration reg = registry.lookup(key).orElse(null);
        if (key == ApiKeys.API_VERSIONS && (reg == null || !reg.supports(version))) {
            // KIP-511: do not parse a body of an unknown version; answer v0 with the supported list
            ApiVersionsResponseData data = new ApiVersionsResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                    .setApiKeys(registry.advertised());
            done(request, key, true);
            send(request, header, data, (short) 0);
            return;
        }
        AbstractRequest body;
        try {
            body = AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(buf)).request;
        } catch (RuntimeException e) {
            done(request, key, true);
            request.closeConnection("malformed " + key + " v" + version + " request from client '" + printable(header.clientId())
                    + "': " + e.getMessage());
            return;
        }
        if (reg == null || !reg.supports(version)) {
            LOG.fine(() -> "unsupported " + key + " v" + version + " from " + header.clientId());
            done(request, key, true);
            respondError(request, header, body, new UnsupportedVersionException(key + " version " + version
                    + " is not supported by this broker"));
            return;
        }
        CompletionStage<?> held;
        try {
            held = gate.before(key, body);
        } catch (RuntimeException e) {
            LOG.warning("TRIB-API-005 cannot check whether " + key + " may go on now: " + e);
            held = null;
        }
        if (held != null) {
            held.whenComplete((x, e) -> {
                try {
                    handlers.execute(() -> handle(request, header, reg, body, System.nanoTime()));
                } catch (RejectedExecutionException r) {
                    done(request, key, true);
                    request.closeConnection("broker is shutting down");
                }
            });
            return;
        }
        handle(request, header, reg, body, dequeued);
    }

    /** Runs the request's handler and answers; {@code dequeued}: when a handler thread took it up. */
    private void handle(NetworkRequest request, RequestHeader header, ApiRegistry.Registration reg, AbstractRequest body,
            long dequeued) {
        ApiKeys key = header.apiKey();
        short version = header.apiVersion();
        RequestContext ctx = new RequestContext(header, request.connectionId(), request.clientAddress(), request.principal(),
                request.listenerName(), images.get());
        CompletionStage<ApiMessage> result;
        long handleNanos;
        try {
            result = reg.handler().handle(ctx, body.data());
            // handler thread time, parsing included; not the wait of a request the handler completes later
            handleNanos = System.nanoTime() - dequeued;
        } catch (Exception e) {
            done(request, key, true);
            fail(request, ctx, header, body, e, System.nanoTime() - dequeued);
            return;
        }
        result.whenComplete((response, error) -> {
            done(request, key, error != null);
            if (error != null) {
                fail(request, ctx, header, body, error, handleNanos);
            } else {
                long throttleMs = throttleMs(ctx, body, request.payload().limit(), handleNanos, response);
                RequestTimeAfterAnswer after = quotaExempt(ctx, body) ? null : RequestTimeAfterAnswer.of(quotas, ctx, request);
                if (response == null) {
                    request.noResponse(throttleMs);
                } else {
                    if (throttleMs > 0) {
                        Throttles.set(response, (int) Math.min(Integer.MAX_VALUE, throttleMs));
                    }
                    audit(request, header, body.data(), response);
                    send(request, header, response, version, throttleMs, after);
                }
            }
        });
    }

    /**
     * The one audit hook: a change's answer, success or error, becomes one event per resource it
     * named. Never throws and never blocks (the sink queues).
     */
    private void audit(NetworkRequest request, RequestHeader header, ApiMessage requestData, ApiMessage response) {
        ApiKeys key = header.apiKey();
        try {
            if (!AuditedRequests.audited(key, requestData)) {
                return;
            }
            AuditSink sink = audit.get();
            if (sink == AuditSink.NONE) {
                return;
            }
            long now = System.currentTimeMillis();
            String principal = String.valueOf(request.principal());
            String address = request.clientAddress() == null ? "" : request.clientAddress().getHostAddress();
            String action = AuditedRequests.apiName(key);
            for (AuditedRequests.Change c : AuditedRequests.changes(key, requestData, response)) {
                sink.record(new AuditEvent(now, principal, address, AuditEvent.KAFKA, action, c.resourceType(), c.resourceName(),
                        c.result(), c.detail()));
            }
        } catch (RuntimeException e) {
            LOG.warning("TRIB-API-003 cannot audit " + key + " from client '" + printable(header.clientId()) + "': " + e);
        }
    }

    /**
     * How long to hold this client back (0 for most): the larger of its produce byte-rate throttle
     * (the request's size, recorded once its records are appended), the fetch throttle its handler
     * already put in the response, and its request-time throttle (the time a handler thread spent
     * on it). Requests between brokers are exempt, as in Kafka.
     */
    private long throttleMs(RequestContext ctx, AbstractRequest body, int requestBytes, long handleNanos, ApiMessage response) {
        if (quotaExempt(ctx, body)) {
            return 0;
        }
        long now = System.currentTimeMillis();
        long bandwidth = 0;
        if (ctx.apiKey() == ApiKeys.PRODUCE) {
            bandwidth = quotas.recordAndGetThrottleMs(ClientQuotaManager.Type.PRODUCE, ctx.principal(), ctx.clientId(), requestBytes, now);
        } else if (response instanceof FetchResponseData f) {
            bandwidth = f.throttleTimeMs();
        }
        long requestTime = quotas.recordAndGetThrottleMs(ClientQuotaManager.Type.REQUEST, ctx.principal(), ctx.clientId(), handleNanos,
                now);
        return Math.max(bandwidth, requestTime);
    }

    /**
     * No quota applies: none is set, or the request is one brokers send each other (a follower's
     * fetch, WriteTxnMarkers) from a principal allowed CLUSTER_ACTION, as Kafka exempts them. Kafka
     * exempts a fetch carrying a replica id whoever sends it; here a client that only claims to be a
     * follower is counted like any other.
     */
    private boolean quotaExempt(RequestContext ctx, AbstractRequest body) {
        return quotas == null || !quotas.enabled() || (isBetweenBrokers(body) && mayClusterAction.test(ctx));
    }

    private static boolean isBetweenBrokers(AbstractRequest body) {
        if (body instanceof org.apache.kafka.common.requests.FetchRequest f) {
            return f.replicaId() >= 0;
        }
        return body.apiKey() == ApiKeys.WRITE_TXN_MARKERS;
    }

    /**
     * Counts the request and its time from arrival until its answer is ready, just before the
     * answer is handed to the network: a client that has its answer sees its request counted.
     */
    private void done(NetworkRequest request, ApiKeys key, boolean failed) {
        metrics.request(key, System.nanoTime() - request.receivedNanos(), failed);
    }

    /**
     * Answers a request whose handler failed: the connection is closed when the handler asked for
     * it or the broker is stopping; otherwise the error response, its handler time counted and
     * throttled by the request-time quota like any other answer (Kafka's
     * sendErrorResponseMaybeThrottle), so a client whose requests keep failing is held back too.
     */
    private void fail(NetworkRequest request, RequestContext ctx, RequestHeader header, AbstractRequest body, Throwable error,
            long handleNanos) {
        Throwable e = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (e instanceof ApiHandler.CloseConnection) {
            request.closeConnection(e.getMessage());
            return;
        }
        if (shuttingDown(e)) {
            // the request's last step found the broker's executors stopped: answer nothing, as a
            // stopping Kafka broker whose socket server closed first (the client retries elsewhere)
            LOG.fine(() -> "TRIB-API-004 " + header.apiKey() + " not answered: the broker is shutting down");
            request.closeConnection("broker is shutting down");
            return;
        }
        if (!(e instanceof ApiException)) {
            LOG.warning("TRIB-API-001 " + header.apiKey() + " v" + header.apiVersion() + " from client '" + printable(header.clientId())
                    + "' failed: " + e);
            e = new UnknownServerException("The broker could not handle this " + header.apiKey() + " request; see its log");
        }
        boolean exempt = quotaExempt(ctx, body);
        long throttleMs = exempt ? 0 : quotas.recordAndGetThrottleMs(ClientQuotaManager.Type.REQUEST, ctx.principal(), ctx.clientId(),
                handleNanos, System.currentTimeMillis());
        respondError(request, header, body, e, throttleMs, exempt ? null : RequestTimeAfterAnswer.of(quotas, ctx, request));
    }

    /** A failure caused by an executor that no longer takes work: only a broker shutting down stops them. */
    static boolean shuttingDown(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RejectedExecutionException) {
                return true;
            }
        }
        return false;
    }

    private void respondError(NetworkRequest request, RequestHeader header, AbstractRequest body, Throwable e) {
        respondError(request, header, body, e, 0, null);
    }

    /** The request's error response, carrying {@code throttleMs}; {@code after}: see {@link #send}. */
    private void respondError(NetworkRequest request, RequestHeader header, AbstractRequest body, Throwable e, long throttleMs,
            RequestTimeAfterAnswer after) {
        try {
            ApiMessage response = body.getErrorResponse((int) Math.min(Integer.MAX_VALUE, throttleMs), e).data();
            audit(request, header, body.data(), response);
            send(request, header, response, header.apiVersion(), throttleMs, after);
        } catch (RuntimeException r) {
            request.closeConnection("cannot build an error response for " + header.apiKey() + ": " + r);
        }
    }

    /** Client ids are client input: keep log lines one readable line. */
    static String printable(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return s.length() > 64 ? b.append("...").toString() : b.toString();
    }

    private static void send(NetworkRequest request, RequestHeader header, ApiMessage response, short version) {
        send(request, header, response, version, 0, null);
    }

    /** {@code after} (may be null): told the encoding time here and the network time once the answer is out. */
    private static void send(NetworkRequest request, RequestHeader header, ApiMessage response, short version, long throttleMs,
            RequestTimeAfterAnswer after) {
        try {
            long start = after == null ? 0 : System.nanoTime();
            org.apache.kafka.common.network.Send send = SendBuilder.buildResponseSend(header.toResponseHeader(), response, version);
            if (after != null) {
                after.encoded(System.nanoTime() - start);
            }
            request.respond(send, throttleMs);
        } catch (RuntimeException e) {
            LOG.warning("TRIB-API-002 cannot encode " + header.apiKey() + " v" + version + " response: " + e);
            request.closeConnection("response encoding failed");
        }
    }
}
