package org.tributary.examples.orders;

import jakarta.ejb.EJB;
import jakarta.ejb.EJBException;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.util.List;

/**
 * POST /api/placed (form: customer, amount, fail) stores and publishes an order in one JTA
 * transaction ({@code fail=true} makes it roll back after both); GET /api/placed lists the stored ones.
 */
@Path("/placed")
public class PlacingResource {
    @EJB
    private PlacingService service;

    @POST
    @Produces(MediaType.TEXT_PLAIN)
    public Response place(@FormParam("customer") String customer, @FormParam("amount") BigDecimal amount,
            @FormParam("fail") @DefaultValue("false") boolean fail) throws Exception {
        try {
            return Response.ok("order " + service.place(customer, amount, fail) + " placed\n").build();
        } catch (EJBException e) {
            return Response.status(Response.Status.CONFLICT).entity("rolled back: " + e.getMessage() + "\n").build();
        }
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public List<PlacedOrder> list() {
        return service.all();
    }
}
