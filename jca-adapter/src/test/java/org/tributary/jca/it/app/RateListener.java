package org.tributary.jca.it.app;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.api.TributaryRecord;

/**
 * One MDB consumer for measuring the delivery rate: it holds its first delivery until the test
 * opens the gate, so a backlog builds up, then drains it.
 */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "tributary-jca"),
    @ActivationConfigProperty(propertyName = "topics", propertyValue = "rate"),
    @ActivationConfigProperty(propertyName = "groupId", propertyValue = "rate-mdb"),
    @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "1")
})
public class RateListener implements RecordListener {
    @EJB
    private Received received;

    @Override
    public void onRecord(TributaryRecord r) {
        received.awaitGate();
        received.add("rate", r.partition() + " " + r.offset());
    }
}
