package org.tributary.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.tributary.ee.AdminException;
import org.tributary.ee.BrokerService;
import org.tributary.ee.GroupInfo;
import org.tributary.ee.OffsetReset;

/** Consumer groups: list, describe, lag, reset offsets, delete. */
@Path("groups")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Consumer groups")
public class GroupsResource {

    @EJB
    private BrokerService broker;

    /** A group in the list. */
    public record GroupRow(String groupId, String state, String protocol, int members, long totalLag) {
    }

    /**
     * Body of {@code POST /api/groups/{id}/offsets/reset}: {@code to} is earliest, latest, timestamp
     * (with {@code timestamp}, epoch ms) or offset (with {@code offset}); {@code topic} and
     * {@code partition} narrow it (default: every partition the group has committed).
     */
    public record ResetRequest(String to, Long timestamp, Long offset, String topic, Integer partition) {
    }

    public record ResetResult(String groupId, Map<String, Long> offsets) {
    }

    @GET
    @Operation(summary = "List consumer groups with state, member count and total lag")
    public List<GroupRow> list() {
        return broker.groups().stream()
                .map(g -> new GroupRow(g.groupId(), g.state(), g.protocol(), g.members().size(), g.totalLag())).toList();
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Describe a group: state, members with assignments, lag per partition")
    public GroupInfo get(@PathParam("id") String id) {
        return require(id);
    }

    @GET
    @Path("{id}/lag")
    @Operation(summary = "Lag per partition of a group")
    public List<GroupInfo.LagInfo> lag(@PathParam("id") String id) {
        return require(id).lag();
    }

    @POST
    @Path("{id}/offsets/reset")
    @Operation(summary = "Reset committed offsets to earliest, latest, a timestamp or an offset (group must be empty)")
    public ResetResult reset(@PathParam("id") String id, ResetRequest body) {
        Inputs.required(body, "body");
        Inputs.required(body.to(), "to");
        OffsetReset.Kind kind;
        try {
            kind = OffsetReset.Kind.valueOf(body.to().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw Inputs.invalid("to", "'to' must be earliest, latest, timestamp or offset, not '" + body.to() + "'");
        }
        long value = 0;
        if (kind == OffsetReset.Kind.TIMESTAMP) {
            value = Inputs.required(body.timestamp(), "timestamp");
        } else if (kind == OffsetReset.Kind.OFFSET) {
            value = Inputs.required(body.offset(), "offset");
            if (value < 0) {
                throw Inputs.invalid("offset", "'offset' must be 0 or more");
            }
        }
        if (body.partition() != null && (body.topic() == null || body.topic().isBlank())) {
            throw Inputs.invalid("topic", "'partition' needs 'topic'");
        }
        String topic = body.topic() == null || body.topic().isBlank() ? null : body.topic();
        return new ResetResult(id, broker.resetGroupOffsets(id, new OffsetReset(kind, value, topic, body.partition())));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete a group (it must have no members)")
    public Response delete(@PathParam("id") String id) {
        broker.deleteGroup(id);
        return Response.noContent().build();
    }

    private GroupInfo require(String id) {
        return broker.group(id).orElseThrow(() -> new AdminException(AdminException.Kind.NOT_FOUND, "groupId",
                "consumer group '" + id + "' does not exist"));
    }
}
