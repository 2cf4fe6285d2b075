package org.tributary.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.tributary.ee.BrokerService;
import org.tributary.ee.ReassignmentInfo;

/**
 * The partition reassignments in progress in the whole cluster, as {@code kafka-reassign-partitions
 * --list} shows them, read from this node's committed metadata (so the list answers while no
 * controller is reachable). They are started and cancelled on the
 * partition: {@code PUT /api/topics/{name}/partitions/{p}/replicas}, {@code DELETE .../reassignment}.
 */
@Path("reassignments")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Topics")
public class ReassignmentsResource {

    @EJB
    private BrokerService broker;

    @GET
    @Operation(summary = "Reassignments in progress: topic, partition, replicas (target first), replicas being added and removed")
    public List<ReassignmentInfo> list() {
        return broker.reassignments();
    }
}
