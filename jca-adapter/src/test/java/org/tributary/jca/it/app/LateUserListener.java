package org.tributary.jca.it.app;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.api.TributaryRecord;

/**
 * Logs in as a user whose SCRAM credential the test creates only later: its logins fail until
 * then, and from then on it consumes, without being redeployed.
 */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "tributary-jca"),
    @ActivationConfigProperty(propertyName = "topics", propertyValue = "sasl"),
    @ActivationConfigProperty(propertyName = "groupId", propertyValue = "sasl-late-mdb"),
    @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "1"),
    @ActivationConfigProperty(propertyName = "bootstrapServers", propertyValue = "${tributary.it.sasl.bootstrap}"),
    @ActivationConfigProperty(propertyName = "securityProperties", propertyValue = "security.protocol=SASL_SSL;"
            + "sasl.mechanism=SCRAM-SHA-512;"
            + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"late-user\" password=\"late-secret-1\";"
            + "ssl.truststore.type=PKCS12;ssl.truststore.location=${tributary.it.truststore};ssl.truststore.password=changeit")
})
public class LateUserListener implements RecordListener {
    @EJB
    private Received received;

    @Override
    public void onRecord(TributaryRecord r) {
        received.add("sasl-late", r.partition() + " " + r.offset() + " " + r.valueAsString());
    }
}
