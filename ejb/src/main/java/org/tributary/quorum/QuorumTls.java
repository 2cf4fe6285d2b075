package org.tributary.quorum;

import java.util.List;
import java.util.Objects;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;

/**
 * Mutual TLS for the quorum's traffic: every member presents the certificate of {@code keyManager}
 * and accepts a peer (server or client side) only when {@code trustManager} trusts its
 * certificate and, as for HTTPS, the certificate names the host the member connects to. Built by
 * the caller from checked key and trust stores (this package reads no files and keeps no
 * passwords). {@code protocols} and {@code cipherSuites} restrict the handshake; an empty list
 * means the JVM's defaults. Immutable.
 */
public record QuorumTls(KeyManager keyManager, TrustManager trustManager, List<String> protocols, List<String> cipherSuites) {
    public QuorumTls {
        Objects.requireNonNull(keyManager, "keyManager: mutual TLS needs this member's certificate and key");
        Objects.requireNonNull(trustManager, "trustManager");
        protocols = List.copyOf(protocols);
        cipherSuites = List.copyOf(cipherSuites);
    }

    @Override
    public String toString() {
        return "mutual TLS " + protocols;
    }
}
