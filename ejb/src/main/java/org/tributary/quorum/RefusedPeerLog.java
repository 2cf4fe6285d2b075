package org.tributary.quorum;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The quorum's trust manager, unchanged in what it decides, that says so when it refuses a
 * peer's certificate: one line (TRIB-0119) naming this member, the peer's subject and the reason,
 * at most once a minute per subject. Without it a member whose certificate its peers do not trust
 * would only show up as a quorum that never admits it (Ratis's own transport warnings are quieted,
 * see {@link RatisLogLevels}). Thread-safe.
 */
final class RefusedPeerLog extends X509ExtendedTrustManager {
    static final long INTERVAL_NANOS = 60_000_000_000L;

    private final X509ExtendedTrustManager delegate;
    private final int localId;
    private final LongSupplier nanoTime;
    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    private RefusedPeerLog(X509ExtendedTrustManager delegate, int localId, LongSupplier nanoTime) {
        this.delegate = delegate;
        this.localId = localId;
        this.nanoTime = nanoTime;
    }

    /** Wraps {@code tm} when it is an extended X.509 trust manager (the JDK's always are); otherwise returns it unchanged. */
    static TrustManager wrap(TrustManager tm, int localId, LongSupplier nanoTime) {
        return tm instanceof X509ExtendedTrustManager x ? new RefusedPeerLog(x, localId, nanoTime) : tm;
    }

    @FunctionalInterface
    private interface Check {
        void run() throws CertificateException;
    }

    private void checked(String side, X509Certificate[] chain, Check check) throws CertificateException {
        try {
            check.run();
        } catch (CertificateException e) {
            String subject = chain == null || chain.length == 0 ? "(no certificate)" : chain[0].getSubjectX500Principal().getName();
            long now = nanoTime.getAsLong();
            Long last = lastLogged.get(subject);
            if (last == null || now - last >= INTERVAL_NANOS) {
                lastLogged.put(subject, now);
                QuorumLog.LOG.warning(() -> "TRIB-0119 Quorum member " + localId + " refused the certificate of a peer " + side + " ("
                        + subject + "): " + e.getMessage() + "; every member needs a certificate its peers' trust stores trust");
            }
            throw e;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checked("client", chain, () -> delegate.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        checked("server", chain, () -> delegate.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checked("client", chain, () -> delegate.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checked("server", chain, () -> delegate.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checked("client", chain, () -> delegate.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checked("server", chain, () -> delegate.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }
}
