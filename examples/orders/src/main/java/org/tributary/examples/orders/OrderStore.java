package org.tributary.examples.orders;

import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.List;

@Stateless
public class OrderStore {
    @PersistenceContext(unitName = "orders")
    private EntityManager em;

    public void save(ProcessedOrder order) {
        em.persist(order);
    }

    public List<ProcessedOrder> all() {
        return em.createQuery("select o from ProcessedOrder o order by o.id", ProcessedOrder.class).getResultList();
    }
}
