package org.tributary.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code ssl.*} settings of one listener, with Kafka's names and defaults; a
 * {@code listener.name.<listener name in lower case>.ssl.*} value takes precedence over the
 * broker-wide {@code ssl.*} one. Values are checked here as far as text allows (enumerations,
 * refused features); {@link org.tributary.network.TlsContext} checks the rest (files, passwords,
 * protocols) when it builds the listener's context. Every problem names the key, prefixed as set.
 *
 * <p>Passwords are kept only as long as the context is built and never appear in messages. Immutable.
 */
public record SslConfig(
        String listenerName,
        Value keystoreType, Value keystoreLocation, Value keystorePassword, Value keyPassword,
        Value truststoreType, Value truststoreLocation, Value truststorePassword,
        ClientAuth clientAuth, Value clientAuthKey,
        List<String> enabledProtocols, Value enabledProtocolsKey,
        Value protocol,
        List<String> cipherSuites, Value cipherSuitesKey,
        Value principalMappingRules,
        Value endpointIdentificationAlgorithm,
        Value keymanagerAlgorithm, Value trustmanagerAlgorithm,
        Value secureRandomImplementation) {

    public static final String KEYSTORE_TYPE = "ssl.keystore.type";
    public static final String KEYSTORE_LOCATION = "ssl.keystore.location";
    public static final String KEYSTORE_PASSWORD = "ssl.keystore.password";
    public static final String KEY_PASSWORD = "ssl.key.password";
    public static final String TRUSTSTORE_TYPE = "ssl.truststore.type";
    public static final String TRUSTSTORE_LOCATION = "ssl.truststore.location";
    public static final String TRUSTSTORE_PASSWORD = "ssl.truststore.password";
    public static final String CLIENT_AUTH = "ssl.client.auth";
    public static final String ENABLED_PROTOCOLS = "ssl.enabled.protocols";
    public static final String PROTOCOL = "ssl.protocol";
    public static final String CIPHER_SUITES = "ssl.cipher.suites";
    public static final String PRINCIPAL_MAPPING_RULES = "ssl.principal.mapping.rules";
    public static final String ENDPOINT_IDENTIFICATION = "ssl.endpoint.identification.algorithm";
    public static final String KEYMANAGER_ALGORITHM = "ssl.keymanager.algorithm";
    public static final String TRUSTMANAGER_ALGORITHM = "ssl.trustmanager.algorithm";
    public static final String SECURE_RANDOM = "ssl.secure.random.implementation";

    /** Kafka keys this broker cannot honour; setting one stops the broker. */
    static final List<String> REFUSED = List.of("ssl.engine.factory.class", "ssl.keystore.certificate.chain", "ssl.keystore.key",
            "ssl.truststore.certificates");

    /** Kafka's {@code ssl.client.auth}. */
    public enum ClientAuth {
        NONE, REQUESTED, REQUIRED
    }

    /** A setting's value (may be null: not set) and the key it was read under, for messages. */
    public record Value(String key, String value) {
        public boolean isSet() {
            return value != null && !value.isEmpty();
        }

        public String orElse(String other) {
            return isSet() ? value : other;
        }

        public char[] chars() {
            return isSet() ? value.toCharArray() : null;
        }

        /** Never the value itself: it may be a password. */
        @Override
        public String toString() {
            return key;
        }
    }

    /** The settings of {@code listenerName} (upper case, as in {@code listeners}). */
    public static SslConfig forListener(BrokerConfig config, String listenerName) {
        String prefix = "listener.name." + listenerName.toLowerCase(Locale.ROOT) + ".";
        for (String refused : REFUSED) {
            for (String key : List.of(prefix + refused, refused)) {
                if (config.get(key).filter(v -> !v.isEmpty()).isPresent()) {
                    throw new ConfigException(key, "is not supported by this broker; use ssl.keystore.location and "
                            + "ssl.truststore.location with a JKS or PKCS12 store");
                }
            }
        }
        Value keystoreType = storeType(value(config, prefix, KEYSTORE_TYPE));
        Value truststoreType = storeType(value(config, prefix, TRUSTSTORE_TYPE));
        Value clientAuthKey = value(config, prefix, CLIENT_AUTH);
        ClientAuth clientAuth;
        try {
            clientAuth = ClientAuth.valueOf(clientAuthKey.orElse("none").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(clientAuthKey.key(), clientAuthKey.value(), "must be none, requested or required");
        }
        Value protocols = value(config, prefix, ENABLED_PROTOCOLS);
        List<String> enabled = list(protocols.orElse("TLSv1.2,TLSv1.3"));
        if (enabled.isEmpty()) {
            throw new ConfigException(protocols.key(), protocols.value(), "names no protocol; e.g. TLSv1.2,TLSv1.3");
        }
        Value ciphers = value(config, prefix, CIPHER_SUITES);
        return new SslConfig(listenerName, keystoreType, value(config, prefix, KEYSTORE_LOCATION),
                value(config, prefix, KEYSTORE_PASSWORD), value(config, prefix, KEY_PASSWORD), truststoreType,
                value(config, prefix, TRUSTSTORE_LOCATION), value(config, prefix, TRUSTSTORE_PASSWORD), clientAuth, clientAuthKey,
                enabled, protocols, value(config, prefix, PROTOCOL), list(ciphers.orElse("")), ciphers,
                value(config, prefix, PRINCIPAL_MAPPING_RULES), value(config, prefix, ENDPOINT_IDENTIFICATION),
                value(config, prefix, KEYMANAGER_ALGORITHM), value(config, prefix, TRUSTMANAGER_ALGORITHM),
                value(config, prefix, SECURE_RANDOM));
    }

    /** {@code ssl.protocol}, default TLSv1.3 as in Kafka. */
    public String protocolName() {
        return protocol.orElse("TLSv1.3");
    }

    /** {@code ssl.principal.mapping.rules}, default DEFAULT. */
    public String mappingRules() {
        return principalMappingRules.orElse("DEFAULT");
    }

    /** {@code ssl.endpoint.identification.algorithm}: https by default; empty turns host name checks off. */
    public Optional<String> endpointIdentification() {
        String v = endpointIdentificationAlgorithm.value() == null ? "https" : endpointIdentificationAlgorithm.value();
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    private static Value value(BrokerConfig config, String prefix, String key) {
        Optional<String> specific = config.get(prefix + key);
        if (specific.isPresent()) {
            return new Value(prefix + key, specific.get());
        }
        return new Value(key, config.get(key).orElse(null));
    }

    private static Value storeType(Value v) {
        String type = v.orElse("JKS").toUpperCase(Locale.ROOT);
        if (type.equals("PEM")) {
            throw new ConfigException(v.key(), v.value(), "PEM stores are not supported by this broker; use JKS or PKCS12");
        }
        if (!type.equals("JKS") && !type.equals("PKCS12")) {
            throw new ConfigException(v.key(), v.value(), "must be JKS or PKCS12");
        }
        return new Value(v.key(), type);
    }

    private static List<String> list(String v) {
        return Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
