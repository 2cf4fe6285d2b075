package org.tributary.e2e.eosapp;

import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.ejb.MessageDrivenContext;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import jakarta.resource.ConnectionFactoryDefinition;
import jakarta.resource.spi.TransactionSupport.TransactionSupportLevel;

/**
 * Copies each record of {@value EosApp#IN} to {@value EosApp#OUT} with the same key, in the
 * container's transaction (the MDB default: container-managed, REQUIRED). A record marked
 * {@value EosApp#FAIL_FIRST} throws on its first delivery after sending, so its first copy is
 * rolled back and it is delivered again. A record marked {@value EosApp#ROLLBACK_FIRST} marks
 * its first delivery's transaction rollback-only without sending or throwing.
 */
@ConnectionFactoryDefinition(name = EosApp.FACTORY, interfaceName = "jakarta.jms.ConnectionFactory",
        resourceAdapter = EosApp.ADAPTER, transactionSupport = TransactionSupportLevel.LocalTransaction,
        properties = {"transactionSupportLevel=LocalTransaction", "transactionalIdPrefix=eosapp", "sendTimeoutMs=60000",
            "producerProperties=transaction.timeout.ms=20000;delivery.timeout.ms=60000"})
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = EosApp.ADAPTER),
    @ActivationConfigProperty(propertyName = "destination", propertyValue = EosApp.IN),
    @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Topic"),
    @ActivationConfigProperty(propertyName = "subscriptionName", propertyValue = EosApp.GROUP),
    @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "2"),
    @ActivationConfigProperty(propertyName = "isolationLevel", propertyValue = "read_committed"),
    @ActivationConfigProperty(propertyName = "redeliveryBackoffMs", propertyValue = "200"),
    @ActivationConfigProperty(propertyName = "consumerProperties", propertyValue = "session.timeout.ms=10000;heartbeat.interval.ms=1000")
})
public class CopyListener implements MessageListener {
    @Resource(lookup = EosApp.FACTORY)
    private ConnectionFactory factory;
    @Resource
    private MessageDrivenContext mdc;

    @Override
    public void onMessage(Message message) {
        try {
            String value = ((TextMessage) message).getText();
            if (value.endsWith(EosApp.ROLLBACK_FIRST) && message.getIntProperty("JMSXDeliveryCount") == 1) {
                mdc.setRollbackOnly();
                return;
            }
            try (JMSContext context = factory.createContext()) {
                context.createProducer().setProperty("JMSXGroupID", message.getStringProperty("JMSXGroupID"))
                        .send(context.createTopic(EosApp.OUT), value);
            }
            if (value.endsWith(EosApp.FAIL_FIRST) && message.getIntProperty("JMSXDeliveryCount") == 1) {
                throw new IllegalStateException("the first delivery of " + value + " fails after sending its copy");
            }
        } catch (JMSException e) {
            throw new IllegalStateException("cannot copy " + message, e);
        }
    }
}
