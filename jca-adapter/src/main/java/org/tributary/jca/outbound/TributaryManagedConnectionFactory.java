package org.tributary.jca.outbound;

import jakarta.resource.ResourceException;
import jakarta.resource.spi.ConfigProperty;
import jakarta.resource.spi.ConnectionDefinition;
import jakarta.resource.spi.ConnectionManager;
import jakarta.resource.spi.ConnectionRequestInfo;
import jakarta.resource.spi.InvalidPropertyException;
import jakarta.resource.spi.ManagedConnection;
import jakarta.resource.spi.ManagedConnectionFactory;
import jakarta.resource.spi.ResourceAdapter;
import jakarta.resource.spi.ResourceAdapterAssociation;
import jakarta.resource.spi.TransactionSupport;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.Subject;
import org.apache.kafka.clients.producer.Producer;
import org.tributary.jca.KafkaSettings;
import org.tributary.jca.ProducerRegistry;
import org.tributary.jca.TributaryResourceAdapter;
import org.tributary.jca.api.TributaryConnection;
import org.tributary.jca.api.TributaryConnectionFactory;

/**
 * The outbound connection definition. Properties: {@code bootstrapServers}, {@code clientId},
 * {@code acks} (default {@code all}), {@code lingerMs}, {@code compressionType},
 * {@code sendTimeoutMs} (how long a synchronous send waits), and {@code producerProperties} for any
 * other Kafka producer setting by its Kafka name ({@code "batch.size=65536;enable.idempotence=true"}),
 * {@code securityProperties} for TLS and SASL by Kafka's names ({@code security.protocol}, {@code ssl.*},
 * {@code sasl.*}; a {@code sasl.jaas.config} line may keep its closing {@code ;}).
 * All connections of one configuration share one producer.
 */
@ConnectionDefinition(
        connectionFactory = TributaryConnectionFactory.class,
        connectionFactoryImpl = TributaryConnectionFactoryImpl.class,
        connection = TributaryConnection.class,
        connectionImpl = ConnectionHandle.class)
public class TributaryManagedConnectionFactory implements ManagedConnectionFactory, ResourceAdapterAssociation,
        TransactionSupport {
    private static final long serialVersionUID = 1L;
    private static final ProducerRegistry UNMANAGED = new ProducerRegistry();

    @ConfigProperty(description = "Kafka bootstrap servers (host:port,...); default: the adapter's")
    private String bootstrapServers;
    @ConfigProperty(description = "Kafka client.id of the shared producer")
    private String clientId;
    @ConfigProperty(description = "Kafka acks", defaultValue = "all")
    private String acks = "all";
    @ConfigProperty(description = "Kafka linger.ms")
    private String lingerMs;
    @ConfigProperty(description = "Kafka compression.type")
    private String compressionType;
    @ConfigProperty(description = "How long a synchronous send waits for its acknowledgement", defaultValue = "60000")
    private String sendTimeoutMs = "60000";
    @ConfigProperty(description = "Any Kafka producer properties, name=value separated by ';'")
    private String producerProperties;
    @ConfigProperty(description = "TLS and SASL: security.protocol, ssl.*, sasl.* (Kafka's names), name=value separated by ';'",
            confidential = true)
    private String securityProperties;

    private transient ResourceAdapter resourceAdapter;
    private transient PrintWriter logWriter;

    public String getBootstrapServers() { return bootstrapServers; }
    public void setBootstrapServers(String v) { bootstrapServers = v; }
    public String getClientId() { return clientId; }
    public void setClientId(String v) { clientId = v; }
    public String getAcks() { return acks; }
    public void setAcks(String v) { acks = v; }
    public String getLingerMs() { return lingerMs; }
    public void setLingerMs(String v) { lingerMs = v; }
    public String getCompressionType() { return compressionType; }
    public void setCompressionType(String v) { compressionType = v; }
    public String getSendTimeoutMs() { return sendTimeoutMs; }
    public void setSendTimeoutMs(String v) { sendTimeoutMs = v; }
    public String getProducerProperties() { return producerProperties; }
    public void setProducerProperties(String v) { producerProperties = v; }
    public String getSecurityProperties() { return securityProperties; }
    public void setSecurityProperties(String v) { securityProperties = v; }

    @Override
    public Object createConnectionFactory(ConnectionManager cm) throws ResourceException {
        validate();
        return new TributaryConnectionFactoryImpl(this, cm);
    }

    @Override
    public Object createConnectionFactory() throws ResourceException {
        return createConnectionFactory(new DirectConnectionManager());
    }

    @Override
    public ManagedConnection createManagedConnection(Subject subject, ConnectionRequestInfo info) throws ResourceException {
        validate();
        return new TributaryManagedConnection(this, producer());
    }

    @Override
    @SuppressWarnings("rawtypes")
    public ManagedConnection matchManagedConnections(Set set, Subject subject, ConnectionRequestInfo info) {
        for (Object o : set) {
            if (o instanceof TributaryManagedConnection mc && mc.factory().equals(this)) {
                return mc;
            }
        }
        return null;
    }

    /** The Kafka producer configuration this factory stands for. */
    public Map<String, String> producerConfig() {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("bootstrap.servers", bootstrapServers == null || bootstrapServers.isBlank() ? defaultBootstrap() : bootstrapServers.trim());
        c.put("acks", acks == null || acks.isBlank() ? "all" : acks.trim());
        if (clientId != null && !clientId.isBlank()) {
            c.put("client.id", clientId.trim());
        }
        if (lingerMs != null && !lingerMs.isBlank()) {
            c.put("linger.ms", lingerMs.trim());
        }
        if (compressionType != null && !compressionType.isBlank()) {
            c.put("compression.type", compressionType.trim());
        }
        c.putAll(KafkaSettings.parse(producerProperties));
        c.putAll(KafkaSettings.security(securityProperties));
        return c;
    }

    long sendTimeoutMillis() {
        return Long.parseLong(sendTimeoutMs.trim());
    }

    private void validate() throws InvalidPropertyException {
        StringBuilder bad = new StringBuilder();
        try {
            if (Long.parseLong(sendTimeoutMs.trim()) <= 0) {
                bad.append("'sendTimeoutMs' must be positive; ");
            }
        } catch (RuntimeException e) {
            bad.append("'sendTimeoutMs' is '").append(sendTimeoutMs).append("', not a whole number; ");
        }
        try {
            KafkaSettings.parse(producerProperties);
        } catch (IllegalArgumentException e) {
            bad.append("'producerProperties' is invalid: ").append(e.getMessage()).append("; ");
        }
        try {
            KafkaSettings.security(securityProperties);
        } catch (IllegalArgumentException e) {
            bad.append("'securityProperties' is invalid: ").append(e.getMessage()).append("; ");
        }
        if (bad.length() > 0) {
            throw new InvalidPropertyException("Tributary connection factory: " + bad.substring(0, bad.length() - 2));
        }
    }

    Producer<byte[], byte[]> producer() {
        ProducerRegistry r = resourceAdapter instanceof TributaryResourceAdapter t ? t.producers() : UNMANAGED;
        return r.producer(producerConfig());
    }

    private String defaultBootstrap() {
        return resourceAdapter instanceof TributaryResourceAdapter t ? t.defaultBootstrapServers() : KafkaSettings.defaultBootstrapServers();
    }

    @Override
    public TransactionSupportLevel getTransactionSupport() {
        return TransactionSupportLevel.NoTransaction;
    }

    @Override public ResourceAdapter getResourceAdapter() { return resourceAdapter; }
    @Override public void setResourceAdapter(ResourceAdapter ra) { resourceAdapter = ra; }
    @Override public void setLogWriter(PrintWriter out) { logWriter = out; }
    @Override public PrintWriter getLogWriter() { return logWriter; }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass()
                && Objects.equals(((TributaryManagedConnectionFactory) o).settings(), settings());
    }

    @Override
    public int hashCode() {
        return Objects.hash(getClass(), settings());
    }

    private Map<String, String> settings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("bootstrapServers", bootstrapServers);
        m.put("clientId", clientId);
        m.put("acks", acks);
        m.put("lingerMs", lingerMs);
        m.put("compressionType", compressionType);
        m.put("sendTimeoutMs", sendTimeoutMs);
        m.put("producerProperties", producerProperties);
        m.put("securityProperties", securityProperties);
        return m;
    }
}
