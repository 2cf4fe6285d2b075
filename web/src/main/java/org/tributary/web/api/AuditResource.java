package org.tributary.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.tributary.audit.AuditEvent;
import org.tributary.ee.AccessService;
import org.tributary.persistence.AuditTrail;

/** The audit trail: every change through the Kafka protocol, REST and the console, newest first. */
@Path("audit")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Access")
public class AuditResource {

    @EJB
    private AccessService access;

    public record AuditRow(long id, String time, String principal, String clientAddress, String source, String action,
            String resourceType, String resourceName, String result, String detail) {
        static AuditRow of(AuditTrail.Row r) {
            AuditEvent e = r.event();
            return new AuditRow(r.id(), Instant.ofEpochMilli(e.timeMs()).toString(), e.principal(), e.clientAddress(), e.source(),
                    e.action(), e.resourceType(), e.resourceName(), e.result(), e.detail());
        }
    }

    public record AuditPage(long total, int page, int size, List<AuditRow> items) {
    }

    @GET
    @Operation(summary = "Query the audit trail: principal (exact), resource (part of the name), from/to (ISO-8601 or epoch ms), page from 0, size up to 500")
    public AuditPage query(@QueryParam("principal") String principal, @QueryParam("resource") String resource,
            @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("page") Integer page,
            @QueryParam("size") Integer size) {
        int p = page == null ? 0 : Inputs.range(page, "page", 0, 1_000_000);
        int s = size == null ? 50 : Inputs.range(size, "size", 1, AuditTrail.MAX_PAGE_SIZE);
        AuditTrail.Page result = access.audit(new AuditTrail.Query(principal, resource, time(from, "from"), time(to, "to"), p, s));
        return new AuditPage(result.total(), result.page(), result.size(), result.rows().stream().map(AuditRow::of).toList());
    }

    private static Long time(String v, String field) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return v.chars().allMatch(Character::isDigit) ? Long.parseLong(v) : Instant.parse(v).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw Inputs.invalid(field, field + " must be an ISO-8601 instant (2026-12-01T06:00:00Z) or epoch milliseconds");
        }
    }
}
