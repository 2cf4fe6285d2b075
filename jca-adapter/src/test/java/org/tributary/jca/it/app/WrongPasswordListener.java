package org.tributary.jca.it.app;

import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.EJB;
import jakarta.ejb.MessageDriven;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.api.TributaryRecord;

/**
 * Subscribes to the same topic as {@link SaslListener} with the right user and a wrong password:
 * it must never receive a record, and its consumer must report the failed login and retry at the
 * adapter's pace rather than in a tight loop.
 */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "tributary-jca"),
    @ActivationConfigProperty(propertyName = "topics", propertyValue = "sasl"),
    @ActivationConfigProperty(propertyName = "groupId", propertyValue = "sasl-wrong-mdb"),
    @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "1"),
    @ActivationConfigProperty(propertyName = "bootstrapServers", propertyValue = "${tributary.it.sasl.bootstrap}"),
    @ActivationConfigProperty(propertyName = "securityProperties", propertyValue = "security.protocol=SASL_SSL;"
            + "sasl.mechanism=SCRAM-SHA-512;"
            + "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"mdb-user\" password=\"not-the-password\";"
            + "ssl.truststore.type=PKCS12;ssl.truststore.location=${tributary.it.truststore};ssl.truststore.password=changeit")
})
public class WrongPasswordListener implements RecordListener {
    @EJB
    private Received received;

    @Override
    public void onRecord(TributaryRecord r) {
        received.add("sasl-wrong", r.partition() + " " + r.offset() + " " + r.valueAsString());
    }
}
