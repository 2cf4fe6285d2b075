package org.tributary.examples.orders;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import java.math.BigDecimal;

/** Audits large orders only: a plain JMS MDB with a message selector over the record's headers. */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "tributary-jca"),
    @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Topic"),
    @ActivationConfigProperty(propertyName = "destination", propertyValue = "orders"),
    @ActivationConfigProperty(propertyName = "subscriptionName", propertyValue = "orders-audit"),
    @ActivationConfigProperty(propertyName = "messageSelector", propertyValue = "amount > 100")
})
public class AuditListener implements MessageListener {
    @EJB
    private OrderStore store;

    @Override
    public void onMessage(Message m) {
        try {
            store.save(new ProcessedOrder(m.getStringProperty("JMSXGroupID"), new BigDecimal(((TextMessage) m).getText()),
                    "audit", m.getJMSMessageID()));
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        }
    }
}
