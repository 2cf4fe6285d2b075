package org.tributary.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.tributary.ee.AccessService;
import org.tributary.persistence.Account;

/** Console and REST accounts (admins only): create, change role, reset password, delete. Hashes are never shown. */
@Path("accounts")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Access")
public class AccountsResource {

    @EJB
    private AccessService access;

    public record AccountRow(String username, String role, String created, String updated) {
        static AccountRow of(Account a) {
            return new AccountRow(a.username(), a.role(), Instant.ofEpochMilli(a.createdMs()).toString(),
                    Instant.ofEpochMilli(a.updatedMs()).toString());
        }
    }

    /** Body of {@code POST /api/accounts}. */
    public record NewAccount(String username, String role, String password) {
    }

    public record RoleChange(String role) {
    }

    public record PasswordChange(String password) {
    }

    @GET
    @Operation(summary = "List accounts")
    public List<AccountRow> list() {
        return access.accounts().stream().map(AccountRow::of).toList();
    }

    @POST
    @Operation(summary = "Create an account (role admin or viewer; a password of at least 12 characters)")
    public Response create(NewAccount body) {
        Inputs.required(body, "body");
        Account a = access.createAccount(body.username(), body.role(), chars(body.password()));
        return Response.created(URI.create("accounts/" + a.username())).entity(AccountRow.of(a)).build();
    }

    @PUT
    @Path("{username}/role")
    @Operation(summary = "Change an account's role")
    public AccountRow role(@PathParam("username") String username, RoleChange body) {
        Inputs.required(body, "body");
        return AccountRow.of(access.setRole(username, body.role()));
    }

    @PUT
    @Path("{username}/password")
    @Operation(summary = "Reset an account's password (its bearer tokens are revoked)")
    public Response password(@PathParam("username") String username, PasswordChange body) {
        Inputs.required(body, "body");
        access.setPassword(username, chars(body.password()));
        return Response.noContent().build();
    }

    @DELETE
    @Path("{username}")
    @Operation(summary = "Delete an account (never the last admin)")
    public Response delete(@PathParam("username") String username) {
        access.deleteAccount(username);
        return Response.noContent().build();
    }

    static char[] chars(String s) {
        return s == null ? null : s.toCharArray();
    }
}
