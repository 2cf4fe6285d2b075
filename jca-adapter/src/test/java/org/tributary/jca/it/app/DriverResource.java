package org.tributary.jca.it.app;

import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.jms.ConnectionFactory;
import jakarta.jms.JMSContext;
import jakarta.jms.JMSProducer;
import jakarta.jms.JMSRuntimeException;
import jakarta.jms.MapMessage;
import jakarta.jms.Topic;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.tributary.jca.api.SendResult;
import org.tributary.jca.api.TributaryConnection;
import org.tributary.jca.api.TributaryConnectionFactory;

/** Drives the application from the test: sends through both factories, reports what MDBs saw. */
@Path("/")
@Produces("text/plain")
public class DriverResource {
    @Resource(lookup = "java:app/tributary/Factory")
    private TributaryConnectionFactory factory;
    @Resource(lookup = "java:app/tributary/SaslFactory")
    private TributaryConnectionFactory saslFactory;
    @Resource(lookup = "java:app/tributary/JmsFactory")
    private ConnectionFactory jms;
    @EJB
    private Received received;

    /** Sends n records asynchronously through one connection; answers "partition offset" per record. */
    @POST
    @Path("produce/{topic}")
    public String produce(@PathParam("topic") String topic, @QueryParam("n") int n, @QueryParam("prefix") String prefix) throws Exception {
        return produce(factory, topic, n, prefix);
    }

    /** As {@code produce}, through the factory that logs in over SASL_SSL with SCRAM-SHA-512. */
    @POST
    @Path("produce-sasl/{topic}")
    public String produceSasl(@PathParam("topic") String topic, @QueryParam("n") int n, @QueryParam("prefix") String prefix) throws Exception {
        return produce(saslFactory, topic, n, prefix);
    }

    private static String produce(TributaryConnectionFactory via, String topic, int n, String prefix) throws Exception {
        List<CompletableFuture<SendResult>> sent = new ArrayList<>();
        try (TributaryConnection c = via.getConnection()) {
            for (int i = 0; i < n; i++) {
                sent.add(c.sendAsync(topic, "k" + (i % 17), (prefix == null ? "v" : prefix) + i).toCompletableFuture());
            }
        }
        StringBuilder b = new StringBuilder();
        for (CompletableFuture<SendResult> f : sent) {
            if (!f.isDone()) {
                throw new IllegalStateException("closing the connection left a send unacknowledged");
            }
            SendResult r = f.join();
            b.append(r.partition()).append(' ').append(r.offset()).append('\n');
        }
        return b.toString();
    }

    /** One synchronous send with headers. */
    @POST
    @Path("send/{topic}")
    public String send(@PathParam("topic") String topic, @QueryParam("key") String key, @QueryParam("value") String value,
            @QueryParam("header") String header) throws Exception {
        try (TributaryConnection c = factory.getConnection()) {
            SendResult r = c.send(topic, key, value, header == null ? Map.of() : Map.of(header.split("=")[0], header.split("=")[1]));
            return r.topic() + " " + r.partition() + " " + r.offset();
        }
    }

    /** Sends a set of JMS messages: text with properties (some not matching the MDB's selector), map and bytes. */
    @POST
    @Path("jms/{topic}")
    public String jms(@PathParam("topic") String topic) {
        StringBuilder ids = new StringBuilder();
        try (JMSContext ctx = jms.createContext()) {
            Topic t = ctx.createTopic(topic);
            JMSProducer p = ctx.createProducer();
            String[][] orders = {{"eu", "3"}, {"us", "3"}, {"eu", "1"}, {"eu", "10"}, {"apac", "5"}};
            int i = 0;
            for (String[] o : orders) {
                var m = ctx.createTextMessage("order-" + i++);
                m.setStringProperty("region", o[0]);
                m.setIntProperty("qty", Integer.parseInt(o[1]));
                m.setStringProperty("JMSXGroupID", "customer-" + i);
                m.setJMSCorrelationID("corr-" + i);
                m.setJMSType("order");
                p.send(t, m);
                ids.append(m.getJMSMessageID()).append('\n');
            }
            MapMessage map = ctx.createMapMessage();
            map.setString("sku", "A-1");
            map.setInt("qty", 2);
            p.setProperty("region", "eu").setProperty("qty", 4).send(t, map);
            p.clearProperties().setProperty("kind", "raw").send(t, new byte[] {1, 2, 3});
            try {
                ctx.createQueue("q");
            } catch (JMSRuntimeException e) {
                ids.append("refused: ").append(e.getMessage()).append('\n');
            }
            try {
                ctx.createTemporaryTopic();
            } catch (JMSRuntimeException e) {
                ids.append("refused: ").append(e.getMessage()).append('\n');
            }
        } catch (jakarta.jms.JMSException e) {
            throw new IllegalStateException(e);
        }
        return ids.toString();
    }

    @POST
    @Path("gate")
    public String openGate() {
        received.openGate();
        return "open";
    }

    @GET
    @Path("received/{name}")
    public String received(@PathParam("name") String name) {
        return received.dump(name);
    }
}
