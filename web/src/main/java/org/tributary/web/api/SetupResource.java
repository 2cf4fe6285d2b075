package org.tributary.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.tributary.ee.AccessService;

/** The first admin, made with the one-time setup secret the node printed at its first start. */
@Path("setup")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Access")
public class SetupResource {

    @EJB
    private AccessService access;

    public record SetupState(boolean open) {
    }

    /** Body of {@code POST /api/setup}. */
    public record FirstAdmin(String secret, String username, String password) {
    }

    @GET
    @Operation(summary = "Whether the first-admin setup is open (no account exists yet)")
    public SetupState state() {
        return new SetupState(access.setupOpen());
    }

    @POST
    @Operation(summary = "Create the first admin with the setup secret from the server log (or <data dir>/setup-secret)")
    public Response setUp(FirstAdmin body) {
        Inputs.required(body, "body");
        var a = access.setUp(body.secret(), body.username(), AccountsResource.chars(body.password()));
        return Response.status(201).entity(AccountsResource.AccountRow.of(a)).build();
    }
}
