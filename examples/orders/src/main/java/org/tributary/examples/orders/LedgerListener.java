package org.tributary.examples.orders;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import java.math.BigDecimal;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.api.TributaryRecord;

/** Books every order (the adapter's own listener style). */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "tributary-jca"),
    @ActivationConfigProperty(propertyName = "topics", propertyValue = "orders"),
    @ActivationConfigProperty(propertyName = "groupId", propertyValue = "orders-ledger"),
    @ActivationConfigProperty(propertyName = "maxDeliveryAttempts", propertyValue = "3")
})
public class LedgerListener implements RecordListener {
    @EJB
    private OrderStore store;

    @Override
    public void onRecord(TributaryRecord r) {
        store.save(new ProcessedOrder(r.keyAsString(), new BigDecimal(r.valueAsString()), "ledger", r.toString()));
    }
}
