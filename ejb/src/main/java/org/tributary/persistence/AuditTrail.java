package org.tributary.persistence;

import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tributary.audit.AuditEvent;

/** The audit trail's table: append, query with filters and pages, purge old rows. Thread-safe. */
public final class AuditTrail {
    public static final int MAX_PAGE_SIZE = 500;

    /** A stored event with its id (ids grow with insertion). */
    public record Row(long id, AuditEvent event) {
    }

    /**
     * Filters (null: any): {@code principal} exact; {@code resource} a substring of the resource
     * name; {@code fromMs} inclusive and {@code toMs} exclusive. Newest first; {@code page} from 0.
     */
    public record Query(String principal, String resource, Long fromMs, Long toMs, int page, int size) {
    }

    /** One page of rows and how many match in all. */
    public record Page(List<Row> rows, long total, int page, int size) {
    }

    private final Database db;

    public AuditTrail(Database db) {
        this.db = db;
    }

    public void append(List<AuditEvent> events) {
        db.inTransaction(em -> {
            events.forEach(e -> em.persist(new AuditEntity(e)));
            return null;
        });
    }

    public Page query(Query q) {
        int size = Math.max(1, Math.min(q.size(), MAX_PAGE_SIZE));
        int page = Math.max(0, q.page());
        StringBuilder where = new StringBuilder(" where 1 = 1");
        Map<String, Object> params = new TreeMap<>();
        if (q.principal() != null && !q.principal().isEmpty()) {
            where.append(" and a.principal = :principal");
            params.put("principal", q.principal());
        }
        if (q.resource() != null && !q.resource().isEmpty()) {
            where.append(" and a.resourceName like :resource escape '\\'");
            params.put("resource", "%" + q.resource().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        if (q.fromMs() != null) {
            where.append(" and a.timeMs >= :fromMs");
            params.put("fromMs", q.fromMs());
        }
        if (q.toMs() != null) {
            where.append(" and a.timeMs < :toMs");
            params.put("toMs", q.toMs());
        }
        return db.read(em -> {
            TypedQuery<Long> count = em.createQuery("select count(a) from AuditEntity a" + where, Long.class);
            TypedQuery<AuditEntity> select = em.createQuery("select a from AuditEntity a" + where
                    + " order by a.timeMs desc, a.id desc", AuditEntity.class);
            params.forEach((k, v) -> {
                count.setParameter(k, v);
                select.setParameter(k, v);
            });
            long total = count.getSingleResult();
            List<Row> rows = new ArrayList<>();
            for (AuditEntity e : select.setFirstResult(page * size).setMaxResults(size).getResultList()) {
                rows.add(new Row(e.id(), e.event()));
            }
            return new Page(rows, total, page, size);
        });
    }

    /** Deletes rows older than {@code beforeMs}; returns how many. */
    public int purgeBefore(long beforeMs) {
        return db.inTransaction((EntityManager em) -> em.createQuery("delete from AuditEntity a where a.timeMs < :t")
                .setParameter("t", beforeMs).executeUpdate());
    }
}
