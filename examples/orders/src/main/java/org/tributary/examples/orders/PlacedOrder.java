package org.tributary.examples.orders;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import java.math.BigDecimal;

/** An order as the shop stored it, in the same JTA transaction that published it. */
@Entity
public class PlacedOrder {
    @Id
    @GeneratedValue
    private Long id;
    private String customer;
    private BigDecimal amount;

    protected PlacedOrder() {
    }

    public PlacedOrder(String customer, BigDecimal amount) {
        this.customer = customer;
        this.amount = amount;
    }

    public Long getId() { return id; }
    public String getCustomer() { return customer; }
    public BigDecimal getAmount() { return amount; }
}
