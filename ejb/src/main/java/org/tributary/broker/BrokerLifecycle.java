package org.tributary.broker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.BrokerHeartbeatRequestData;
import org.apache.kafka.common.message.BrokerHeartbeatResponseData;
import org.apache.kafka.common.message.BrokerRegistrationRequestData;
import org.apache.kafka.common.message.BrokerRegistrationResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.tributary.cluster.BrokerInfo;
import org.tributary.controller.ControllerClient;
import org.tributary.controller.ControllerRpc;

/**
 * This broker's registration with the active controller (KIP-631): register (a new incarnation
 * each process lifetime; the controller answers with the broker epoch), then heartbeat every
 * {@code broker.heartbeat.interval.ms} with the metadata offset applied here. The controller
 * unfences the broker once it has caught up, fences it when heartbeats stop for
 * {@code broker.session.timeout.ms} (or at once when the grid reports its member gone), and on a
 * controlled shutdown moves leadership away before letting it go. Losing the controller for
 * longer than the session timeout is logged once, and its return once ({@link ControllerContact}).
 *
 * <p>States: {@link State}. Thread-safe: all work runs on the given scheduler.
 */
public final class BrokerLifecycle implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BrokerLifecycle.class.getName());

    /** The broker's lifecycle as the controller sees it. */
    public enum State {
        /** Not registered yet (or registering again after the controller lost the registration). */
        REGISTERING,
        /** Registered and fenced: catching up with the metadata log. Leads nothing. */
        RECOVERING,
        /** Unfenced: may lead partitions and serve clients. */
        RUNNING,
        /** Asked the controller to move leadership away before stopping. */
        PENDING_CONTROLLED_SHUTDOWN,
        /** Heartbeats stopped. */
        STOPPED
    }

    private final ControllerClient controller;
    private final BrokerInfo self;
    private final String clusterId;
    private final LongSupplier appliedOffset;
    private final ScheduledExecutorService scheduler;
    private final long heartbeatMs;
    private final Duration requestTimeout;
    private final ControllerContact contact;
    private final Uuid incarnation = Uuid.randomUuid();
    private final CompletableFuture<Void> unfenced = new CompletableFuture<>();
    private volatile State state = State.REGISTERING;
    private volatile long brokerEpoch = -1;
    private volatile boolean wantShutdown;
    /** Set once this broker's log directory failed: the controller keeps it fenced until the node restarts. */
    private volatile boolean wantFence;
    private volatile CompletableFuture<Void> shutdownGranted = new CompletableFuture<>();
    private volatile ScheduledFuture<?> task;
    /** Refusals of registration in a row, and the last one's error (only the scheduler's thread registers). */
    private int refusals;
    private Errors lastRefusal;
    /** Why the last round could not reach the controller, or was refused (for the start-up failure message). */
    private volatile String lastProblem;
    static final int REFUSALS_PER_WARNING = 30;

    public BrokerLifecycle(ControllerClient controller, BrokerInfo self, String clusterId, LongSupplier appliedOffset,
            ScheduledExecutorService scheduler, long heartbeatMs, Duration requestTimeout, ControllerContact contact) {
        this.controller = controller;
        this.self = self;
        this.clusterId = clusterId;
        this.appliedOffset = appliedOffset;
        this.scheduler = scheduler;
        this.heartbeatMs = heartbeatMs;
        this.requestTimeout = requestTimeout;
        this.contact = contact;
    }

    /** Starts registering and heartbeating in the background. */
    public void start() {
        task = scheduler.scheduleWithFixedDelay(this::tick, 0, heartbeatMs, TimeUnit.MILLISECONDS);
    }

    /** Why the last round failed (no controller reached, or a refusal), or {@code null} after a success. */
    public String lastProblem() {
        return lastProblem;
    }

    public State state() {
        return state;
    }

    /** The broker epoch (the offset of this incarnation's registration), -1 before registration. */
    public long brokerEpoch() {
        return brokerEpoch;
    }

    /** Completes when the controller first unfences this broker. */
    public CompletableFuture<Void> unfenced() {
        return unfenced;
    }

    /** One round: registers or heartbeats. The scheduler runs it every heartbeat interval (tests call it directly). */
    void tick() {
        try {
            if (state == State.STOPPED) {
                return;
            }
            if (state == State.REGISTERING) {
                register();
            } else {
                heartbeat();
            }
        } catch (RuntimeException e) {
            lastProblem = e.getClass().getSimpleName() + ": " + e.getMessage();
            // no controller right now (election, minority side): try again at the next tick
            if (!wantShutdown && state != State.STOPPED) {
                contact.failed(); // a broker on its way out says so with TRIB-0046, not with a warning about the quorum
            }
            LOG.fine(() -> "TRIB-0040 Broker " + self.id() + " could not reach the controller: " + e.getMessage());
        }
    }

    private void register() {
        BrokerRegistrationRequestData req = new BrokerRegistrationRequestData().setBrokerId(self.id()).setClusterId(clusterId)
                .setIncarnationId(incarnation).setRack(self.rack());
        for (org.tributary.metadata.BrokerEndpoint e : self.endpoints()) {
            req.listeners().add(new BrokerRegistrationRequestData.Listener().setName(e.listener()).setHost(e.host())
                    .setPort(e.port()).setSecurityProtocol(e.securityProtocol()));
        }
        req.listeners().add(new BrokerRegistrationRequestData.Listener().setName(ControllerRpc.HTTP_LISTENER).setHost(self.host())
                .setPort(self.httpPort()).setSecurityProtocol((short) 0));
        BrokerRegistrationResponseData resp = controller.call(req, BrokerRegistrationResponseData.class, requestTimeout);
        contact.answered();
        Errors error = Errors.forCode(resp.errorCode());
        if (error != Errors.NONE) {
            lastProblem = "registration refused: " + error.name();
            refused(error);
            return;
        }
        lastProblem = null;
        refusals = 0;
        lastRefusal = null;
        brokerEpoch = resp.brokerEpoch();
        state = State.RECOVERING;
        LOG.info(() -> "TRIB-0042 Broker " + self.id() + " registered with the controller (broker epoch " + brokerEpoch + ")");
        heartbeat();
    }

    /**
     * A refused registration is tried again at every tick. The first refusal of a kind is a
     * warning, repeats are logged at FINE, with a warning again every {@link #REFUSALS_PER_WARNING}:
     * a broker restarted quickly is refused DUPLICATE_BROKER_REGISTRATION until its previous
     * session expires, and that must not write a warning a second.
     */
    private void refused(Errors error) {
        boolean again = error == lastRefusal;
        lastRefusal = error;
        int n = again ? ++refusals : (refusals = 1);
        String why = error == Errors.DUPLICATE_BROKER_REGISTRATION
                ? "the controller still holds a live session of broker " + self.id() + ". If this broker just restarted, it"
                        + " registers once that session expires (broker.session.timeout.ms); if another running broker has"
                        + " node.id " + self.id() + ", give this one a node.id of its own"
                : error.name() + " " + error.message();
        if (n == 1 || n % REFUSALS_PER_WARNING == 0) {
            LOG.warning(() -> "TRIB-0041 Broker " + self.id() + " registration refused" + (n > 1 ? " " + n + " times" : "") + ": "
                    + why);
        } else {
            LOG.fine(() -> "TRIB-0041 Broker " + self.id() + " registration refused again (" + n + "): " + error.name());
        }
    }

    private void heartbeat() {
        BrokerHeartbeatRequestData req = new BrokerHeartbeatRequestData().setBrokerId(self.id()).setBrokerEpoch(brokerEpoch)
                .setCurrentMetadataOffset(appliedOffset.getAsLong()).setWantFence(wantFence).setWantShutDown(wantShutdown);
        BrokerHeartbeatResponseData resp = controller.call(req, BrokerHeartbeatResponseData.class, requestTimeout);
        contact.answered();
        Errors error = Errors.forCode(resp.errorCode());
        lastProblem = error == Errors.NONE ? null : "heartbeat answered " + error.name();
        if (error == Errors.STALE_BROKER_EPOCH || error == Errors.BROKER_ID_NOT_REGISTERED) {
            LOG.warning(() -> "TRIB-0043 Broker " + self.id() + " must register again: " + error.name());
            state = State.REGISTERING;
            return;
        }
        if (error != Errors.NONE) {
            LOG.fine(() -> "TRIB-0040 Broker " + self.id() + " heartbeat failed: " + error.name());
            return;
        }
        if (wantShutdown) {
            if (resp.shouldShutDown()) {
                shutdownGranted.complete(null);
            }
            return;
        }
        if (!resp.isFenced() && state == State.RECOVERING) {
            state = State.RUNNING;
            LOG.info(() -> "TRIB-0044 Broker " + self.id() + " is unfenced and serving (broker epoch " + brokerEpoch + ")");
            unfenced.complete(null);
        } else if (resp.isFenced() && state == State.RUNNING) {
            state = State.RECOVERING;
            if (wantFence) {
                LOG.warning(() -> "TRIB-0049 Broker " + self.id() + " is fenced, as it asked after its log directory failed:"
                        + " its partitions are led elsewhere until the node restarts");
            } else {
                LOG.warning(() -> "TRIB-0045 Broker " + self.id() + " was fenced by the controller; catching up");
            }
        }
    }

    /**
     * This broker's storage failed: from now on its heartbeats ask the controller to fence it
     * (Kafka's broker asks the same when its log directories go offline), so the controller moves
     * its leaderships to other in-sync replicas at once and never unfences it while this process
     * runs. The next heartbeat goes out now.
     */
    public void fenceForStorageFailure() {
        if (wantFence || state == State.STOPPED) {
            return;
        }
        wantFence = true;
        scheduler.submit(this::tick);
    }

    /** Whether this broker asked to stay fenced ({@link #fenceForStorageFailure}). */
    public boolean wantsFence() {
        return wantFence;
    }

    /**
     * Controlled shutdown: asks the controller to move leadership away and waits (at most
     * {@code timeout}) until it lets this broker go. Heartbeats stop afterwards.
     */
    public void controlledShutdown(Duration timeout) {
        if (state == State.RUNNING || state == State.RECOVERING) {
            wantShutdown = true;
            state = State.PENDING_CONTROLLED_SHUTDOWN;
            try {
                scheduler.submit(this::tick);
                shutdownGranted.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.info(() -> "TRIB-0046 Broker " + self.id() + " stops without the controller's go-ahead (" + e + ")");
            }
        }
        close();
    }

    @Override
    public void close() {
        state = State.STOPPED;
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
    }
}
