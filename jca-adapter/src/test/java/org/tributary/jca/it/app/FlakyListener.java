package org.tributary.jca.it.app;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.api.TributaryRecord;

/** Fails on every delivery of records whose value starts with "poison". */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "tributary-jca"),
    @ActivationConfigProperty(propertyName = "destination", propertyValue = "flaky"),
    @ActivationConfigProperty(propertyName = "subscriptionName", propertyValue = "flaky-mdb"),
    @ActivationConfigProperty(propertyName = "maxDeliveryAttempts", propertyValue = "3"),
    @ActivationConfigProperty(propertyName = "redeliveryBackoffMs", propertyValue = "200")
})
public class FlakyListener implements RecordListener {
    @EJB
    private Received received;

    @Override
    public void onRecord(TributaryRecord r) {
        received.add("flaky-attempts", r.valueAsString() + " " + r.deliveryAttempt());
        if (r.valueAsString().startsWith("poison")) {
            throw new IllegalArgumentException("cannot digest " + r.valueAsString());
        }
        received.add("flaky", r.partition() + " " + r.offset() + " " + r.valueAsString());
    }
}
