package org.tributary.e2e.groupapp;

import jakarta.annotation.Resource;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSException;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.TextMessage;
import jakarta.jms.Topic;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;

/**
 * {@code POST /api/send?from=F&count=N} sends records {@code rF..r(F+N-1)} one by one (each
 * waits for its acknowledgement), keyed {@code k<i mod 12>}. The answer has one line per
 * acknowledged record, {@code <JMSMessageID> <value>}; if a send fails, a last line
 * {@code ERROR <what>} says so: the application saw the error.
 */
@Path("send")
public class SendResource {
    static final int KEYS = 12;

    @Resource(lookup = "java:app/tributary/Jms")
    private ConnectionFactory factory;

    @POST
    @Produces("text/plain")
    public String send(@QueryParam("from") int from, @QueryParam("count") int count) {
        StringBuilder out = new StringBuilder();
        try (JMSContext context = factory.createContext()) {
            Topic topic = context.createTopic(GroupApp.TOPIC);
            for (int i = from; i < from + count; i++) {
                TextMessage m = context.createTextMessage("r" + i);
                m.setStringProperty("JMSXGroupID", "k" + (i % KEYS));
                context.createProducer().send(topic, m);
                out.append(m.getJMSMessageID()).append(' ').append(m.getText()).append('\n');
            }
        } catch (JMSRuntimeException | JMSException e) {
            out.append("ERROR ").append(e).append(e.getCause() == null ? "" : " caused by " + e.getCause()).append('\n');
        }
        return out.toString();
    }
}
