package org.tributary.jca.inbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import jakarta.resource.spi.work.WorkException;
import jakarta.resource.spi.work.WorkManager;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.tributary.jca.ProducerRegistry;

/**
 * One active MDB: {@code maxSession} consumers in the endpoint's group, each on its own
 * WorkManager thread. Kafka's group assignment gives each partition to one consumer, so
 * consumers beyond the partition count stay idle. {@link #stop()} returns once every consumer
 * finished its delivery in progress, committed and closed (bounded wait).
 */
public final class EndpointActivation {
    private static final Logger LOG = Logger.getLogger(EndpointActivation.class.getName());
    private static final long STOP_TIMEOUT_SECONDS = 60;

    private final MessageEndpointFactory factory;
    private final ConsumerSettings settings;
    private final WorkManager workManager;
    private final ProducerRegistry producers;
    private final TransactionSynchronizationRegistry transactions;
    private final List<ConsumerWork> consumers = new ArrayList<>();

    public EndpointActivation(MessageEndpointFactory factory, ConsumerSettings settings, WorkManager workManager,
            ProducerRegistry producers) {
        this(factory, settings, workManager, producers, null);
    }

    /**
     * With the container's transaction synchronization registry, a delivery the container runs in
     * a transaction learns that transaction's outcome ({@link EndpointInvoker}).
     */
    public EndpointActivation(MessageEndpointFactory factory, ConsumerSettings settings, WorkManager workManager,
            ProducerRegistry producers, TransactionSynchronizationRegistry transactions) {
        this.factory = factory;
        this.settings = settings;
        this.workManager = workManager;
        this.producers = producers;
        this.transactions = transactions;
    }

    public synchronized void start() throws ResourceException {
        String base = "tributary-" + settings.groupId();
        for (int i = 0; i < settings.maxSession(); i++) {
            DeadLetterWriter dlt = new DeadLetterWriter(producers.producer(settings.producerConfig()), settings);
            EndpointInvoker invoker = new EndpointInvoker(factory, settings, transactions);
            DeliveryEngine engine = new DeliveryEngine(settings.maxDeliveryAttempts(), settings.redeliveryBackoffMs(),
                    System::currentTimeMillis, invoker, dlt);
            ConsumerWork w = new ConsumerWork(base + "-" + i, settings, engine, c -> invoker.groupMetadata(c::groupMetadata));
            consumers.add(w);
            try {
                workManager.scheduleWork(w, WorkManager.INDEFINITE, null, null);
            } catch (WorkException e) {
                w.notStarted();
                stop();
                throw e;
            }
        }
        LOG.info("TRIB-JCA-040 endpoint activated: topics " + settings.topics() + ", group " + settings.groupId()
                + ", " + settings.maxSession() + " consumer(s)");
    }

    public synchronized void stop() {
        consumers.forEach(ConsumerWork::release);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_TIMEOUT_SECONDS);
        for (ConsumerWork w : consumers) {
            try {
                if (!w.awaitFinished(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    LOG.warning("TRIB-JCA-041 a consumer of group " + settings.groupId() + " did not stop within "
                            + STOP_TIMEOUT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        consumers.clear();
        LOG.info("TRIB-JCA-042 endpoint deactivated: group " + settings.groupId());
    }
}
