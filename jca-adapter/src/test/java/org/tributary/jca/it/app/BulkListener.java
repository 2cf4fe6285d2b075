package org.tributary.jca.it.app;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.api.TributaryRecord;

/** Receives the bulk stream; records partition, offset and value in arrival order. */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "tributary-jca"),
    @ActivationConfigProperty(propertyName = "topics", propertyValue = "bulk"),
    @ActivationConfigProperty(propertyName = "groupId", propertyValue = "bulk-mdb"),
    @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "3"),
    @ActivationConfigProperty(propertyName = "autoOffsetReset", propertyValue = "earliest")
})
public class BulkListener implements RecordListener {
    @EJB
    private Received received;

    @Override
    public void onRecord(TributaryRecord r) {
        received.add("bulk", r.partition() + " " + r.offset() + " " + r.valueAsString() + " " + Thread.currentThread().getName());
    }
}
