package org.tributary.jca.it.app;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;

/** A plain JMS MDB with a selector. */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "tributary-jca"),
    @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Topic"),
    @ActivationConfigProperty(propertyName = "destination", propertyValue = "jms-orders"),
    @ActivationConfigProperty(propertyName = "subscriptionName", propertyValue = "jms-mdb"),
    @ActivationConfigProperty(propertyName = "messageSelector", propertyValue = "region = 'eu' AND qty BETWEEN 2 AND 10")
})
public class JmsListener implements MessageListener {
    @EJB
    private Received received;

    @Override
    public void onMessage(Message m) {
        try {
            received.add("jms", String.join("|", m.getClass().getInterfaces()[0].getSimpleName(),
                    m instanceof TextMessage t ? t.getText() : "-", m.getJMSMessageID(),
                    ((Topic) m.getJMSDestination()).getTopicName(), String.valueOf(m.getJMSTimestamp() > 0),
                    String.valueOf(m.getJMSRedelivered()), m.getStringProperty("JMSXDeliveryCount"),
                    m.getStringProperty("JMSXGroupID"), m.getJMSCorrelationID(), m.getJMSType(),
                    m.getStringProperty("region"), String.valueOf(m.getIntProperty("qty"))));
        } catch (JMSException e) {
            throw new IllegalStateException(e);
        }
    }
}
