package org.tributary.jca.it;

import jakarta.resource.spi.endpoint.MessageEndpoint;
import jakarta.resource.spi.endpoint.MessageEndpointFactory;
import java.lang.reflect.Method;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.transaction.xa.XAResource;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.api.TributaryRecord;

/**
 * An endpoint factory standing in for the EJB container: records each delivery and notes any
 * partition delivered on two threads at once.
 */
final class RecordingEndpoints implements MessageEndpointFactory {
    final Set<String> seen = ConcurrentHashMap.newKeySet();
    final AtomicInteger deliveries = new AtomicInteger();
    final AtomicInteger overlaps = new AtomicInteger();
    private final Set<Integer> busy = ConcurrentHashMap.newKeySet();
    /** Each delivery takes a permit: the test decides how far the endpoint gets. */
    final Semaphore permits = new Semaphore(0);

    @Override
    public MessageEndpoint createEndpoint(XAResource xa) {
        return new Endpoint();
    }

    @Override
    public MessageEndpoint createEndpoint(XAResource xa, long timeout) {
        return new Endpoint();
    }

    @Override public boolean isDeliveryTransacted(Method m) { return false; }
    @Override public String getActivationName() { return "recording"; }
    @Override public Class<?> getEndpointClass() { return Endpoint.class; }

    final class Endpoint implements MessageEndpoint, RecordListener {
        @Override
        public void onRecord(TributaryRecord r) {
            try {
                if (!permits.tryAcquire(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("no permit");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (!busy.add(r.partition())) {
                overlaps.incrementAndGet();
            }
            try {
                seen.add(r.partition() + " " + r.offset());
                deliveries.incrementAndGet();
            } finally {
                busy.remove(r.partition());
            }
        }

        @Override public void beforeDelivery(Method m) { }
        @Override public void afterDelivery() { }
        @Override public void release() { }
    }
}
