package org.tributary.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.tributary.ee.AccessService;
import org.tributary.web.security.Caller;

/** Bearer tokens for scripts: {@code Authorization: Bearer <token>}, with the rights of the account that asked. */
@Path("tokens")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Access")
public class TokensResource {

    @EJB
    private AccessService access;

    @Context
    private HttpServletRequest http;

    /** A new token: shown once, stored only as a digest. */
    public record Token(String token, String username, String role, String expiresAt) {
    }

    @POST
    @Operation(summary = "Issue a bearer token for the calling account")
    public Response issue() {
        Caller c = Caller.of(http);
        String token = access.issueToken(c.username());
        String expires = Instant.ofEpochMilli(System.currentTimeMillis() + access.tokenLifetimeMs()).toString();
        return Response.status(201).entity(new Token(token, c.username(), c.role(), expires)).build();
    }
}
