package org.tributary.e2e.groupapp;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.jms.JMSException;
import jakarta.jms.Message;
import jakarta.jms.MessageListener;
import jakarta.jms.TextMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;

/**
 * Consumes {@value GroupApp#TOPIC} in group {@value GroupApp#GROUP} on every instance of the
 * group and appends each delivery, {@code <JMSMessageID> <value>}, to a file in the instance's
 * directory, so what an instance received before it was killed is still there to check. A
 * shorter session timeout than Kafka's 45 s makes the group notice a killed instance sooner.
 */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = GroupApp.ADAPTER),
    @ActivationConfigProperty(propertyName = "destination", propertyValue = GroupApp.TOPIC),
    @ActivationConfigProperty(propertyName = "destinationType", propertyValue = "jakarta.jms.Topic"),
    @ActivationConfigProperty(propertyName = "subscriptionName", propertyValue = GroupApp.GROUP),
    @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "2"),
    @ActivationConfigProperty(propertyName = "consumerProperties", propertyValue = "session.timeout.ms=10000;heartbeat.interval.ms=1000")
})
public class RecordsListener implements MessageListener {
    private static final Path FILE = Paths.get(System.getProperty("com.sun.aas.instanceRoot", "."), GroupApp.RECEIVED_FILE);

    @Override
    public void onMessage(Message message) {
        try {
            String line = message.getJMSMessageID() + " " + ((TextMessage) message).getText() + "\n";
            synchronized (RecordsListener.class) {
                Files.writeString(FILE, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        } catch (JMSException e) {
            throw new IllegalStateException("cannot read the delivered message", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the delivery in " + FILE, e);
        }
    }
}
