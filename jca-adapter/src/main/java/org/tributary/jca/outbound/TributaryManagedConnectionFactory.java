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
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.function.BiFunction;
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
 * The outbound connection definition. Properties: {@code bootstrapServers} (when unset: the
 * resource adapter's default, resolved each time a connection's producer is created, see
 * {@link TributaryResourceAdapter#defaultBootstrapServers()}), {@code clientId},
 * {@code acks} (default {@code all}), {@code lingerMs}, {@code compressionType},
 * {@code sendTimeoutMs} (how long a synchronous send waits), and {@code producerProperties} for any
 * other Kafka producer setting by its Kafka name ({@code "batch.size=65536;enable.idempotence=true"}),
 * {@code securityProperties} for TLS and SASL by Kafka's names ({@code security.protocol}, {@code ssl.*},
 * {@code sasl.*}; a {@code sasl.jaas.config} line may keep its closing {@code ;}).
 * With {@code transactionSupportLevel} {@code NoTransaction} (the default) all connections of one
 * configuration share one producer. With {@code LocalTransaction} or {@code XATransaction} (the
 * pool's transaction support must match) each connection owns a transactional producer whose
 * transactional id is {@code <transactionalIdPrefix>-<server>-<n>}: stable per pool and server, so
 * after a restart the same ids come back and recovery finds the XA branches left prepared
 * (recorded in {@code recoveryDirectory}, see {@link RecoveryLog}). XA uses Kafka's two-phase
 * commit (KIP-939, {@code transaction.two.phase.commit.enable}), which the cluster must support.
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

    @ConfigProperty(description = "NoTransaction, LocalTransaction or XATransaction (as the pool's transaction support)",
            defaultValue = "NoTransaction")
    private String transactionSupportLevel = "NoTransaction";
    @ConfigProperty(description = "Transactional ids are <prefix>-<server>-<n>; unique per pool in the cluster",
            defaultValue = "tributary-jca")
    private String transactionalIdPrefix = "tributary-jca";
    @ConfigProperty(description = "The server part of transactional ids; default: system property tributary.instance.name, "
            + "else node-<node.id>, else com.sun.aas.instanceName, else the host name")
    private String serverName;
    @ConfigProperty(description = "Where XA branches are recorded for recovery; default: beside the broker's log.dirs, "
            + "else <instance root>/tributary-jca-xa")
    private String recoveryDirectory;

    private transient ResourceAdapter resourceAdapter;
    /** Tests replace how transactional producers are made (transactional id, two-phase) . */
    private transient BiFunction<String, Boolean, TxnProducer> txnProducers;
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
    public String getTransactionSupportLevel() { return transactionSupportLevel; }
    public void setTransactionSupportLevel(String v) { transactionSupportLevel = v; }
    public String getTransactionalIdPrefix() { return transactionalIdPrefix; }
    public void setTransactionalIdPrefix(String v) { transactionalIdPrefix = v; }
    public String getServerName() { return serverName; }
    public void setServerName(String v) { serverName = v; }
    public String getRecoveryDirectory() { return recoveryDirectory; }
    public void setRecoveryDirectory(String v) { recoveryDirectory = v; }

    void txnProducers(BiFunction<String, Boolean, TxnProducer> f) {
        txnProducers = f;
    }

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
        TransactionSupportLevel level = level();
        if (level == TransactionSupportLevel.NoTransaction) {
            try {
                return new TributaryManagedConnection(this, producer());
            } catch (IllegalStateException e) { // no cluster to choose (GridBootstrap) or the adapter is stopped
                throw new ResourceException("Tributary connection factory: " + e.getMessage(), e);
            }
        }
        TxnResourceManager rm = resourceManager();
        String tid = rm.allocate();
        TxnProducer p;
        try {
            p = txnProducer(tid, level == TransactionSupportLevel.XATransaction);
        } catch (RuntimeException e) {
            rm.release(tid);
            throw new ResourceException("cannot create the transactional producer " + tid + ": " + e, e);
        }
        try {
            p.init();
        } catch (RuntimeException e) {
            p.close();
            rm.release(tid);
            throw new ResourceException("initialising transactions for " + tid + " failed"
                    + (level == TransactionSupportLevel.XATransaction ? " (XA needs a cluster with KIP-939 two-phase commit)" : "")
                    + ": " + e, e);
        }
        int version = level == TransactionSupportLevel.XATransaction ? p.initProducerIdVersion() : 0;
        if (version < 6 && level == TransactionSupportLevel.XATransaction) {
            p.close();
            rm.release(tid);
            throw new jakarta.resource.NotSupportedException("XATransaction needs KIP-939 two-phase commit (InitProducerId "
                    + "version 6, in the client and the cluster); " + tid + " initialised with version " + version
                    + ", which would let a prepared transaction time out. Use LocalTransaction (the transaction manager "
                    + "then commits it last, one-phase)");
        }
        return new TributaryManagedConnection(this, p, rm, level);
    }

    /** The XA/local resource manager of this pool on this server. */
    TxnResourceManager resourceManager() {
        return TxnResourceManager.of(transactionalIdBase(), recoveryDir(), tid -> txnProducer(tid, true));
    }

    TxnProducer txnProducer(String transactionalId, boolean twoPhase) {
        if (txnProducers != null) {
            return txnProducers.apply(transactionalId, twoPhase);
        }
        Map<String, String> c = producerConfig();
        c.put("transactional.id", transactionalId);
        c.put("enable.idempotence", "true");
        c.put("acks", "all");
        if (twoPhase) {
            c.put("transaction.two.phase.commit.enable", "true");
        }
        return new TxnProducer(transactionalId, ProducerRegistry.newProducer(c));
    }

    /** {@code <prefix>-<server>}: the transactional ids of this pool on this server start with it. */
    String transactionalIdBase() {
        String prefix = transactionalIdPrefix == null || transactionalIdPrefix.isBlank() ? "tributary-jca" : transactionalIdPrefix.trim();
        return prefix + "-" + server();
    }

    private String server() {
        if (serverName != null && !serverName.isBlank()) {
            return serverName.trim();
        }
        String s = System.getProperty("tributary.instance.name");
        if (s == null && System.getProperty("node.id") != null) {
            s = "node-" + System.getProperty("node.id");
        }
        if (s == null) {
            s = System.getProperty("com.sun.aas.instanceName");
        }
        if (s == null) {
            try {
                s = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                s = "local";
            }
        }
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private Path recoveryDir() {
        if (recoveryDirectory != null && !recoveryDirectory.isBlank()) {
            return Paths.get(recoveryDirectory.trim());
        }
        String logDirs = System.getProperty("log.dirs");
        if (logDirs != null && !logDirs.isBlank()) {
            Path first = Paths.get(logDirs.split(",")[0].trim()).toAbsolutePath();
            return (first.getParent() == null ? first : first.getParent()).resolve("jca-xa");
        }
        String root = System.getProperty("com.sun.aas.instanceRoot");
        return Paths.get(root != null ? root : System.getProperty("user.home"), "tributary-jca-xa");
    }

    TransactionSupportLevel level() throws InvalidPropertyException {
        String v = transactionSupportLevel == null || transactionSupportLevel.isBlank() ? "NoTransaction" : transactionSupportLevel.trim();
        try {
            return TransactionSupportLevel.valueOf(v);
        } catch (IllegalArgumentException e) {
            throw new InvalidPropertyException("Tributary connection factory: 'transactionSupportLevel' is '" + v
                    + "'; one of NoTransaction, LocalTransaction, XATransaction");
        }
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
        try {
            level();
        } catch (InvalidPropertyException e) {
            bad.append(e.getMessage().substring(e.getMessage().indexOf(": ") + 2)).append("; ");
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
        try {
            return level();
        } catch (InvalidPropertyException e) {
            return TransactionSupportLevel.NoTransaction; // refused by validate() when the factory is created
        }
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
        m.put("transactionSupportLevel", transactionSupportLevel);
        m.put("transactionalIdPrefix", transactionalIdPrefix);
        m.put("serverName", serverName);
        m.put("recoveryDirectory", recoveryDirectory);
        return m;
    }
}
