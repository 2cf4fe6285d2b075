package org.tributary.examples.orders;

import jakarta.annotation.Resource;
import jakarta.ejb.EJB;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.tributary.jca.api.SendResult;
import org.tributary.jca.api.TributaryConnection;
import org.tributary.jca.api.TributaryConnectionFactory;

/** POST /api/orders (form: customer, amount) publishes an order; GET /api/orders lists what the consumers stored. */
@Path("/orders")
public class OrderResource {
    @Resource(lookup = "java:app/tributary/Orders")
    private TributaryConnectionFactory factory;
    @EJB
    private OrderStore store;

    @POST
    @Produces(MediaType.TEXT_PLAIN)
    public String place(@FormParam("customer") String customer, @FormParam("amount") BigDecimal amount) throws Exception {
        try (TributaryConnection c = factory.getConnection()) {
            // the customer is the key: one customer's orders stay in order on one partition
            SendResult r = c.send("orders", customer, amount.toPlainString(), Map.of("amount", amount.toPlainString()));
            return "order stored at " + r.topic() + "-" + r.partition() + "@" + r.offset() + "\n";
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<ProcessedOrder> list() {
        return store.all();
    }
}
