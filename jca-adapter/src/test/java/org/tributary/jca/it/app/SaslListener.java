package org.tributary.jca.it.app;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.api.TributaryRecord;

/**
 * Consumes over the broker's SASL_SSL listener, logging in with SCRAM-SHA-512. The listener's port
 * and the trust store's path are known only at run time: Payara resolves the {@code ${...}} system
 * properties in activation config values before it sets them on the activation spec.
 */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "tributary-jca"),
    @ActivationConfigProperty(propertyName = "topics", propertyValue = "sasl"),
    @ActivationConfigProperty(propertyName = "groupId", propertyValue = "sasl-mdb"),
    @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "2"),
    @ActivationConfigProperty(propertyName = "bootstrapServers", propertyValue = "${tributary.it.sasl.bootstrap}"),
    @ActivationConfigProperty(propertyName = "securityProperties", propertyValue = "security.protocol=SASL_SSL;"
            + "sasl.mechanism=SCRAM-SHA-512;"
            + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"mdb-user\" password=\"mdb-secret-1\";"
            + "ssl.truststore.type=PKCS12;ssl.truststore.location=${tributary.it.truststore};ssl.truststore.password=changeit")
})
public class SaslListener implements RecordListener {
    @EJB
    private Received received;

    @Override
    public void onRecord(TributaryRecord r) {
        received.add("sasl", r.partition() + " " + r.offset() + " " + r.valueAsString());
    }
}
