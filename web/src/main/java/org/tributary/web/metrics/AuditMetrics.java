package org.tributary.web.metrics;

import jakarta.ejb.EJB;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.tributary.ee.AccessService;

/** The audit trail's health at /metrics: events lost because the queue was full or the database down. */
@ApplicationScoped
public class AuditMetrics {
    static final String DROPPED = "tributary.audit.EventsDroppedTotal";

    @Inject
    private MetricRegistry registry;

    @EJB
    private AccessService access;

    void register(@Observes @Initialized(ApplicationScoped.class) Object started) {
        registry.gauge(Metadata.builder().withName(DROPPED)
                .withDescription("Audit events dropped since start (queue full or database unavailable; see TRIB-DB-001)")
                .build(), access, AccessService::auditDropped);
    }
}
