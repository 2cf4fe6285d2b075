package org.tributary.web.health;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.tributary.ee.BrokerService;
import org.tributary.ee.BrokerView;

/** Ready once the broker has recovered its data and registered in the cluster. */
@Readiness
@ApplicationScoped
public class BrokerReadiness implements HealthCheck {

    @EJB
    private BrokerService broker;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("tributary-broker");
        if (broker.isReady()) {
            long live = broker.brokers().stream().filter(BrokerView::alive).count();
            return b.up().withData("brokerId", broker.brokerId()).withData("clusterId", String.valueOf(broker.clusterId()))
                    .withData("clusterSize", live).build();
        }
        b.down();
        broker.failure().ifPresent(f -> b.withData("error", f));
        return b.build();
    }
}
