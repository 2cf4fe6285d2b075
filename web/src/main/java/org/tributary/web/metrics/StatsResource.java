package org.tributary.web.metrics;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** {@code GET /api/stats}: the latest sample (totals and per-second rates), for the console's live charts. */
@Path("stats")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Cluster")
public class StatsResource {

    @Inject
    private BrokerStats stats;

    @GET
    @Operation(summary = "Latest sample: brokers, partitions offline/under-replicated, messages in/consumed per second")
    public StatsSnapshot stats() {
        return stats.latest();
    }
}
