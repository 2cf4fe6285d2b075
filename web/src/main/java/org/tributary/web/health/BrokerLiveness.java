package org.tributary.web.health;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.tributary.ee.BrokerService;

/** Live unless the broker failed to start (then a restart with fixed configuration is needed). */
@Liveness
@ApplicationScoped
public class BrokerLiveness implements HealthCheck {

    @EJB
    private BrokerService broker;

    @Override
    public HealthCheckResponse call() {
        return broker.failure()
                .map(f -> HealthCheckResponse.named("tributary-broker").down().withData("error", f).build())
                .orElseGet(() -> HealthCheckResponse.named("tributary-broker").up().build());
    }
}
