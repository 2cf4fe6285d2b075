package org.tributary.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Index;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;
import org.tributary.audit.AuditEvent;

/** One row of the audit trail (see {@link AuditEvent}); long texts are cut to their column. */
@Entity
@Table(name = "TRIB_AUDIT", indexes = {@Index(name = "TRIB_AUDIT_TIME", columnList = "TIME_MS"),
        @Index(name = "TRIB_AUDIT_PRINCIPAL", columnList = "PRINCIPAL")})
@SequenceGenerator(name = "TRIB_AUDIT_SEQ", sequenceName = "TRIB_AUDIT_SEQ", allocationSize = 100)
public class AuditEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "TRIB_AUDIT_SEQ")
    @Column(name = "ID")
    private Long id;

    @Column(name = "TIME_MS", nullable = false)
    private long timeMs;

    @Column(name = "PRINCIPAL", length = 256, nullable = false)
    private String principal;

    @Column(name = "CLIENT_ADDRESS", length = 64)
    private String clientAddress;

    @Column(name = "SOURCE", length = 16)
    private String source;

    @Column(name = "ACTION", length = 256, nullable = false)
    private String action;

    @Column(name = "RESOURCE_TYPE", length = 32)
    private String resourceType;

    @Column(name = "RESOURCE_NAME", length = 512)
    private String resourceName;

    @Column(name = "RESULT", length = 64)
    private String result;

    @Column(name = "DETAIL", length = 1024)
    private String detail;

    protected AuditEntity() {
    }

    AuditEntity(AuditEvent e) {
        timeMs = e.timeMs();
        principal = cut(e.principal(), 256);
        clientAddress = cut(e.clientAddress(), 64);
        source = cut(e.source(), 16);
        action = cut(e.action(), 256);
        resourceType = cut(e.resourceType(), 32);
        resourceName = cut(e.resourceName(), 512);
        result = cut(e.result(), 64);
        detail = cut(e.detail(), 1024);
    }

    long id() {
        return id;
    }

    AuditEvent event() {
        return new AuditEvent(timeMs, principal, clientAddress, source, action, resourceType, resourceName, result, detail);
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
