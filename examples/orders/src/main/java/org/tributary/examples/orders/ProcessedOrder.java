package org.tributary.examples.orders;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import java.math.BigDecimal;

/** An order as one of the consumers recorded it. */
@Entity
public class ProcessedOrder {
    @Id
    @GeneratedValue
    private Long id;
    private String customer;
    private BigDecimal amount;
    /** Which consumer stored it: "ledger" (record listener) or "audit" (JMS listener). */
    private String consumer;
    private String source;

    protected ProcessedOrder() {
    }

    public ProcessedOrder(String customer, BigDecimal amount, String consumer, String source) {
        this.customer = customer;
        this.amount = amount;
        this.consumer = consumer;
        this.source = source;
    }

    public Long getId() { return id; }
    public String getCustomer() { return customer; }
    public BigDecimal getAmount() { return amount; }
    public String getConsumer() { return consumer; }
    /** Where the record was read: topic-partition@offset. */
    public String getSource() { return source; }
}
