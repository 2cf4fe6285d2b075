package org.tributary.network;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.security.ssl.SslPrincipalMapper;
import org.tributary.config.ConfigException;
import org.tributary.config.SslConfig;

/**
 * The TLS side of one listener (server engines, the principal of a client certificate) or of this
 * broker's own outbound connections (client sockets that verify the peer), built once from a
 * {@link SslConfig}. Building checks everything a handshake would otherwise find late: the stores
 * exist and open with their passwords, the key opens with {@code ssl.key.password}, protocols and
 * cipher suites are known to this JVM, the mapping rules parse. Each problem is one
 * {@link ConfigException} naming the key.
 *
 * <p>Thread-safe (immutable after construction).
 */
public final class TlsContext {
    private final SslConfig config;
    private final SSLContext context;
    private final String[] protocols;
    private final String[] cipherSuites;
    private final SslPrincipalMapper mapper;
    private final KeyManager[] keyManagers;
    private final javax.net.ssl.TrustManager[] trustManagers;

    private TlsContext(SslConfig config, SSLContext context, String[] protocols, String[] cipherSuites, SslPrincipalMapper mapper,
            KeyManager[] keyManagers, javax.net.ssl.TrustManager[] trustManagers) {
        this.keyManagers = keyManagers;
        this.trustManagers = trustManagers;
        this.config = config;
        this.context = context;
        this.protocols = protocols;
        this.cipherSuites = cipherSuites;
        this.mapper = mapper;
    }

    /** The context of an SSL listener: a key store is required. */
    public static TlsContext server(SslConfig config) {
        if (!config.keystoreLocation().isSet()) {
            throw new ConfigException(config.keystoreLocation().key(), "is required for the SSL listener " + config.listenerName()
                    + " (a JKS or PKCS12 key store with this broker's certificate and key)");
        }
        return build(config);
    }

    /** The context of this broker's outbound connections to an SSL listener (key store optional, for mutual TLS). */
    public static TlsContext client(SslConfig config) {
        return build(config);
    }

    private static TlsContext build(SslConfig c) {
        SSLContext ctx;
        try {
            ctx = SSLContext.getInstance(c.protocolName());
        } catch (NoSuchAlgorithmException e) {
            throw new ConfigException(c.protocol().key(), c.protocolName(), "is not a protocol this JVM knows (e.g. TLSv1.3, TLSv1.2)");
        }
        KeyManager[] keyManagers = null;
        if (c.keystoreLocation().isSet()) {
            if (!c.keystorePassword().isSet()) {
                throw new ConfigException(c.keystorePassword().key(), "is required with " + c.keystoreLocation().key());
            }
            KeyStore ks = load(c.keystoreType(), c.keystoreLocation(), c.keystorePassword());
            String algorithm = c.keymanagerAlgorithm().orElse(KeyManagerFactory.getDefaultAlgorithm());
            try {
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(algorithm);
                char[] keyPassword = c.keyPassword().isSet() ? c.keyPassword().chars() : c.keystorePassword().chars();
                kmf.init(ks, keyPassword);
                keyManagers = kmf.getKeyManagers();
                if (!hasKey(ks)) {
                    throw new ConfigException(c.keystoreLocation().key(), c.keystoreLocation().value(), "holds no private key");
                }
            } catch (NoSuchAlgorithmException e) {
                throw new ConfigException(c.keymanagerAlgorithm().key(), algorithm, "is not a key manager algorithm this JVM knows");
            } catch (UnrecoverableKeyException e) {
                String key = c.keyPassword().isSet() ? c.keyPassword().key() : c.keystorePassword().key();
                throw new ConfigException(key, "cannot open the private key in " + c.keystoreLocation().value()
                        + " (wrong password?)");
            } catch (GeneralSecurityException e) {
                throw new ConfigException(c.keystoreLocation().key(), c.keystoreLocation().value(), "unusable key store: " + e.getMessage());
            }
        }
        TrustManagerFactory tmf;
        String trustAlgorithm = c.trustmanagerAlgorithm().orElse(TrustManagerFactory.getDefaultAlgorithm());
        try {
            tmf = TrustManagerFactory.getInstance(trustAlgorithm);
            tmf.init(c.truststoreLocation().isSet() ? load(c.truststoreType(), c.truststoreLocation(), c.truststorePassword()) : null);
        } catch (NoSuchAlgorithmException e) {
            throw new ConfigException(c.trustmanagerAlgorithm().key(), trustAlgorithm, "is not a trust manager algorithm this JVM knows");
        } catch (GeneralSecurityException e) {
            throw new ConfigException(c.truststoreLocation().key(), c.truststoreLocation().value(), "unusable trust store: " + e.getMessage());
        }
        SecureRandom random = null;
        if (c.secureRandomImplementation().isSet()) {
            try {
                random = SecureRandom.getInstance(c.secureRandomImplementation().value());
            } catch (NoSuchAlgorithmException e) {
                throw new ConfigException(c.secureRandomImplementation().key(), c.secureRandomImplementation().value(),
                        "is not a SecureRandom algorithm this JVM knows");
            }
        }
        try {
            ctx.init(keyManagers, tmf.getTrustManagers(), random);
        } catch (GeneralSecurityException e) {
            throw new ConfigException(c.protocol().key(), c.protocolName(), "cannot be initialised: " + e.getMessage());
        }
        SSLParameters supported = ctx.getSupportedSSLParameters();
        String[] protocols = known(c.enabledProtocols(), supported.getProtocols(), c.enabledProtocolsKey(), "protocol");
        String[] suites = c.cipherSuites().isEmpty() ? null
                : known(c.cipherSuites(), supported.getCipherSuites(), c.cipherSuitesKey(), "cipher suite");
        SslPrincipalMapper mapper;
        try {
            mapper = SslPrincipalMapper.fromRules(c.mappingRules());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(c.principalMappingRules().key(), c.mappingRules(), e.getMessage());
        }
        return new TlsContext(c, ctx, protocols, suites, mapper, keyManagers, tmf.getTrustManagers());
    }

    private static String[] known(List<String> wanted, String[] supported, SslConfig.Value key, String what) {
        List<String> all = Arrays.asList(supported);
        for (String w : wanted) {
            if (!all.contains(w)) {
                throw new ConfigException(key.key(), String.join(",", wanted), "names " + what + " '" + w
                        + "', which this JVM does not support");
            }
        }
        return wanted.toArray(String[]::new);
    }

    private static boolean hasKey(KeyStore ks) throws GeneralSecurityException {
        for (String alias : java.util.Collections.list(ks.aliases())) {
            if (ks.isKeyEntry(alias)) {
                return true;
            }
        }
        return false;
    }

    private static KeyStore load(SslConfig.Value type, SslConfig.Value location, SslConfig.Value password) {
        Path path = Path.of(location.value());
        try (InputStream in = Files.newInputStream(path)) {
            KeyStore ks = KeyStore.getInstance(type.value());
            ks.load(in, password.chars());
            return ks;
        } catch (NoSuchFileException e) {
            throw new ConfigException(location.key(), location.value(), "no such file");
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException || String.valueOf(e.getMessage()).contains("password")) {
                throw new ConfigException(password.key(), "cannot open " + location.value() + " (wrong password?)");
            }
            throw new ConfigException(location.key(), location.value(), "cannot be read as a " + type.value() + " store: " + e.getMessage());
        } catch (GeneralSecurityException e) {
            throw new ConfigException(location.key(), location.value(), "cannot be read as a " + type.value() + " store: " + e.getMessage());
        }
    }

    /** A server engine for one accepted connection, with the listener's protocols, suites and client authentication. */
    SSLEngine newServerEngine(String peerHost, int peerPort) {
        SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(protocols);
        if (cipherSuites != null) {
            engine.setEnabledCipherSuites(cipherSuites);
        }
        switch (config.clientAuth()) {
            case REQUIRED -> engine.setNeedClientAuth(true);
            case REQUESTED -> engine.setWantClientAuth(true);
            default -> engine.setWantClientAuth(false);
        }
        return engine;
    }

    /**
     * A connected client socket to {@code host:port} with this context's protocols and suites; the
     * peer's certificate is verified, and its name too unless
     * {@code ssl.endpoint.identification.algorithm} is empty. The handshake runs on first use.
     */
    public SSLSocket clientSocket(java.net.Socket connected, String host, int port) throws IOException {
        SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket(connected, host, port, true);
        s.setUseClientMode(true);
        SSLParameters p = s.getSSLParameters();
        p.setProtocols(protocols);
        if (cipherSuites != null) {
            p.setCipherSuites(cipherSuites);
        }
        config.endpointIdentification().ifPresent(p::setEndpointIdentificationAlgorithm);
        s.setSSLParameters(p);
        return s;
    }

    /**
     * Kafka's SSL principal: User:&lt;the client certificate's subject (RFC 2253) mapped by
     * {@code ssl.principal.mapping.rules}&gt;, or User:ANONYMOUS without a client certificate.
     */
    public KafkaPrincipal principal(SSLSession session) throws javax.net.ssl.SSLException {
        try {
            if (session.getPeerPrincipal() instanceof X500Principal x500) {
                return new KafkaPrincipal(KafkaPrincipal.USER_TYPE, mapper.getName(x500.getName()));
            }
            return new KafkaPrincipal(KafkaPrincipal.USER_TYPE, session.getPeerPrincipal().getName());
        } catch (SSLPeerUnverifiedException e) {
            return KafkaPrincipal.ANONYMOUS;
        } catch (IOException e) {
            // a failed authentication, as in Kafka: the connection is closed and the failure summarised
            throw new javax.net.ssl.SSLException("the client certificate's name matches no rule of " + SslConfig.PRINCIPAL_MAPPING_RULES
                    + ": " + e.getMessage(), e);
        }
    }

    /** kafka-clients settings that connect to this listener as this broker does (key and trust stores), for in-process admin clients. */
    public Map<String, Object> clientProperties() {
        Map<String, Object> p = new HashMap<>();
        p.put("security.protocol", "SSL");
        put(p, config.keystoreType(), "ssl.keystore.type");
        put(p, config.keystoreLocation(), "ssl.keystore.location");
        put(p, config.keystorePassword(), "ssl.keystore.password");
        put(p, config.keyPassword(), "ssl.key.password");
        put(p, config.truststoreType(), "ssl.truststore.type");
        put(p, config.truststoreLocation(), "ssl.truststore.location");
        put(p, config.truststorePassword(), "ssl.truststore.password");
        p.put("ssl.enabled.protocols", String.join(",", protocols));
        p.put("ssl.protocol", config.protocolName());
        p.put("ssl.endpoint.identification.algorithm", config.endpointIdentification().orElse(""));
        return p;
    }

    private static void put(Map<String, Object> p, SslConfig.Value v, String name) {
        if (v.isSet()) {
            p.put(name, v.value());
        }
    }

    /**
     * The checked key material, for a transport that builds its own TLS engine from key and trust
     * managers (the metadata quorum's Ratis transport): first key manager (null without a key
     * store), first trust manager, enabled protocols, cipher suites (empty: the JVM's defaults).
     */
    public Material material() {
        return new Material(keyManagers == null ? null : keyManagers[0], trustManagers[0], List.of(protocols),
                cipherSuites == null ? List.of() : List.of(cipherSuites));
    }

    /** Key and trust managers with the protocols and suites they are used with. */
    public record Material(KeyManager keyManager, javax.net.ssl.TrustManager trustManager, List<String> protocols,
            List<String> cipherSuites) {
    }

    /** The listener (or outbound use) this context belongs to. */
    public String listenerName() {
        return config.listenerName();
    }
}
