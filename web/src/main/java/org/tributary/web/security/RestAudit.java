package org.tributary.web.security;

import jakarta.ejb.EJB;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import org.tributary.audit.AuditEvent;
import org.tributary.ee.AccessService;

/**
 * Every change made through REST or the console goes to the audit trail with its caller, address,
 * method and path, and result ({@code NONE} or the HTTP status), refused ones too. Request bodies
 * are never recorded (they may hold passwords). Not recorded: reads, logging in and out, tokens,
 * and producing records (data, as Kafka's Produce is not audited either).
 */
@Provider
public class RestAudit implements ContainerResponseFilter {
    @Context
    private HttpServletRequest http;

    @EJB
    private AccessService access;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        String method = request.getMethod();
        if ("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method)) {
            return;
        }
        String path = ApiGate.path(request);
        List<String> seg = List.of(path.split("/"));
        String first = seg.get(0);
        if (first.equals("session") || first.equals("tokens") || isRecords(seg)) {
            return;
        }
        Caller caller = Caller.of(http);
        int status = response.getStatus();
        String type = switch (first) {
            case "topics" -> "topic";
            case "groups" -> "group";
            case "accounts", "setup" -> "account";
            default -> first;
        };
        String name = seg.size() > 1 ? seg.get(1) : "";
        access.record(new AuditEvent(System.currentTimeMillis(), caller == null ? "anonymous" : caller.username(),
                http.getRemoteAddr(), AuditEvent.REST, method + " /api/" + path, type, name,
                status >= 200 && status < 300 ? AuditEvent.OK : String.valueOf(status),
                caller == null ? "" : "role " + caller.role() + " via " + caller.via()));
    }

    /**
     * The two record endpoints (producing data, not audited as Kafka's Produce is not):
     * {@code topics/{name}/records} and {@code topics/{name}/partitions/{p}/records}. Only those:
     * a topic may itself be named "records", and changes to it are audited like any other.
     */
    static boolean isRecords(List<String> seg) {
        return seg.get(0).equals("topics") && seg.get(seg.size() - 1).equals("records")
                && (seg.size() == 3 || seg.size() == 5 && seg.get(2).equals("partitions"));
    }
}
