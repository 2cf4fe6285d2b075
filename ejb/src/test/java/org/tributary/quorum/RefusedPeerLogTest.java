package org.tributary.quorum;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;
import org.tributary.testkit.TlsFiles;

/** A refused peer certificate is refused as before and said in one line at most once a minute per subject (injected time). */
class RefusedPeerLogTest {
    @Test
    void refusesAsTheJdkDoesAndSaysSoOnceAMinutePerSubject() throws Exception {
        TlsFiles files = TlsFiles.shared();
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(files.truststore)) {
            trust.load(in, TlsFiles.PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyStore strangerStore = KeyStore.getInstance("PKCS12");
        try (var in = java.nio.file.Files.newInputStream(files.strangerKeystore)) {
            strangerStore.load(in, TlsFiles.PASSWORD.toCharArray());
        }
        X509Certificate[] mallory = java.util.Arrays.stream(strangerStore.getCertificateChain("stranger"))
                .map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);

        AtomicLong now = new AtomicLong();
        X509TrustManager tm = (X509TrustManager) RefusedPeerLog.wrap(tmf.getTrustManagers()[0], 7, now::get);
        List<LogRecord> lines = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        QuorumLog.LOG.addHandler(h);
        try {
            for (int i = 0; i < 5; i++) {
                assertThrows(CertificateException.class, () -> tm.checkClientTrusted(mallory, "ECDHE_ECDSA"));
                now.addAndGet(10_000_000_000L); // 10 s
            }
            assertEquals(1, lines.size(), "once within a minute");
            now.addAndGet(RefusedPeerLog.INTERVAL_NANOS);
            assertThrows(CertificateException.class, () -> tm.checkServerTrusted(mallory, "ECDHE_ECDSA"));
            assertEquals(2, lines.size(), "again after a minute");
            String line = lines.get(0).getMessage();
            assertTrue(line.startsWith("TRIB-0119 Quorum member 7 refused the certificate of a peer client (CN=mallory,O=Elsewhere): "),
                    line);
            assertTrue(!line.contains("\n"), line);
        } finally {
            QuorumLog.LOG.removeHandler(h);
        }
        X509TrustManager plain = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        assertSame(plain, RefusedPeerLog.wrap(plain, 7, now::get), "a non-extended trust manager is passed through unchanged");
    }
}
