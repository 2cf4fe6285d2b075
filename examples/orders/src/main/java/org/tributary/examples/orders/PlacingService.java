package org.tributary.examples.orders;

import jakarta.annotation.Resource;
import jakarta.annotation.sql.DataSourceDefinition;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.resource.ConnectionFactoryDefinition;
import jakarta.resource.ResourceException;
import jakarta.resource.spi.TransactionSupport.TransactionSupportLevel;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.tributary.jca.api.TributaryConnection;
import org.tributary.jca.api.TributaryConnectionFactory;

/**
 * Stores an order (JPA) and publishes it (Tributary) in one container-managed JTA transaction:
 * both happen or neither. The connection factory takes part in JTA transactions
 * ({@code transactionSupportLevel}); with {@code LocalTransaction} the transaction manager commits
 * it last, after preparing the XA database (Payara's last-agent optimisation), with
 * {@code XATransaction} (KIP-939 two-phase commit in client and cluster) both are prepared first.
 * A failure after the send rolls back the row and the record: a {@code read_committed} consumer
 * never sees it.
 */
@Stateless
@ConnectionFactoryDefinition(name = "java:app/tributary/PlacedOrders",
        interfaceName = "org.tributary.jca.api.TributaryConnectionFactory",
        resourceAdapter = "tributary-jca",
        transactionSupport = TransactionSupportLevel.LocalTransaction,
        properties = {"transactionSupportLevel=LocalTransaction", "transactionalIdPrefix=orders-placed"})
@DataSourceDefinition(name = "java:app/jdbc/Shop",
        className = "org.h2.jdbcx.JdbcDataSource",
        url = "jdbc:h2:mem:shop;DB_CLOSE_DELAY=-1")
public class PlacingService {
    @PersistenceContext(unitName = "shop")
    private EntityManager em;
    @Resource(lookup = "java:app/tributary/PlacedOrders")
    private TributaryConnectionFactory factory;

    /** Stores and publishes an order; {@code failAfterSend} throws after both, so the transaction rolls back. */
    public long place(String customer, BigDecimal amount, boolean failAfterSend) throws ResourceException {
        PlacedOrder order = new PlacedOrder(customer, amount);
        em.persist(order);
        em.flush();
        try (TributaryConnection c = factory.getConnection()) {
            c.send("placed-orders", customer, amount.toPlainString(), Map.of("order", String.valueOf(order.getId())));
        }
        if (failAfterSend) {
            throw new IllegalStateException("order of " + customer + " fails after it was stored and sent");
        }
        return order.getId();
    }

    public List<PlacedOrder> all() {
        return em.createQuery("select o from PlacedOrder o order by o.id", PlacedOrder.class).getResultList();
    }
}
