package org.tributary.web.api;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.tributary.ee.BrokerService;
import org.tributary.ee.BrokerView;

/** {@code GET /api/cluster}: the cluster id, the controller and every known broker. */
@Path("cluster")
@RequestScoped
@Produces(MediaType.APPLICATION_JSON)
public class ClusterResource {

    @EJB
    private BrokerService broker;

    /** The JSON body of {@code GET /api/cluster}. */
    public record ClusterDto(String clusterId, int controllerId, int localBrokerId, int liveBrokers, List<BrokerView> brokers) {
    }

    @GET
    public ClusterDto cluster() {
        List<BrokerView> all = broker.brokers();
        int live = (int) all.stream().filter(BrokerView::alive).count();
        return new ClusterDto(broker.clusterId(), broker.controllerId(), broker.brokerId(), live, all);
    }

    @GET
    @Path("brokers")
    public List<BrokerView> brokers() {
        return broker.brokers();
    }
}
