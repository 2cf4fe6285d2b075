package org.tributary.jca.it.stream;

import jakarta.annotation.Resource;
import jakarta.ejb.ActivationConfigProperty;
import jakarta.ejb.MessageDriven;
import jakarta.resource.ResourceException;
import org.tributary.jca.api.RecordListener;
import org.tributary.jca.api.TributaryConnection;
import org.tributary.jca.api.TributaryConnectionFactory;
import org.tributary.jca.api.TributaryRecord;

/**
 * The application that is redeployed in the middle of a stream: it forwards where each record
 * came from to another topic, so what it saw outlives it. It sends through a server-level
 * connection factory (created by the post-boot commands), which outlives the application's
 * undeployment, unlike an application-scoped {@code @ConnectionFactoryDefinition}.
 */
@MessageDriven(activationConfig = {
    @ActivationConfigProperty(propertyName = "resourceAdapter", propertyValue = "tributary-jca"),
    @ActivationConfigProperty(propertyName = "topics", propertyValue = "redeploy"),
    @ActivationConfigProperty(propertyName = "groupId", propertyValue = "redeploy-mdb"),
    @ActivationConfigProperty(propertyName = "maxSession", propertyValue = "2")
})
public class Forwarder implements RecordListener {
    @Resource(lookup = "tributary/Forward")
    private TributaryConnectionFactory factory;

    @Override
    public void onRecord(TributaryRecord r) {
        try (TributaryConnection c = factory.getConnection()) {
            c.send("redeploy-seen", null, r.partition() + " " + r.offset());
        } catch (ResourceException e) {
            throw new IllegalStateException(e);
        }
    }
}
