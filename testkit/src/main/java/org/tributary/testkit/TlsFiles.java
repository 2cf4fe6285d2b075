package org.tributary.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Key material for TLS tests, made with the JDK's keytool: a CA, a broker certificate for
 * 127.0.0.1/localhost signed by it, a client certificate ({@code CN=alice,OU=clients,O=Tributary})
 * signed by it, and a second CA nobody trusts with a client certificate of its own. Stores are
 * PKCS12 with password {@value #PASSWORD}; {@code ca.pem} is for kcat.
 */
public final class TlsFiles {
    public static final String PASSWORD = "changeit-test";
    public static final String CLIENT_DN = "CN=alice,OU=clients,O=Tributary";

    public final Path dir;
    public final Path caPem;
    public final Path truststore;
    public final Path brokerKeystore;
    public final Path clientKeystore;
    public final Path strangerKeystore;

    private TlsFiles(Path dir) {
        this.dir = dir;
        this.caPem = dir.resolve("ca.pem");
        this.truststore = dir.resolve("truststore.p12");
        this.brokerKeystore = dir.resolve("broker.p12");
        this.clientKeystore = dir.resolve("client.p12");
        this.strangerKeystore = dir.resolve("stranger.p12");
    }

    private static TlsFiles shared;

    /**
     * One set for every test class of this JVM (keytool runs eighteen times: seconds to tens of
     * seconds on a busy machine), deleted when the JVM exits. Tests must not change the files.
     */
    public static synchronized TlsFiles shared() throws IOException, InterruptedException {
        if (shared == null) {
            TlsFiles f = create();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    f.delete();
                } catch (IOException e) {
                    // temp files: left behind at worst
                }
            }));
            shared = f;
        }
        return shared;
    }

    /** Creates everything under a new temp directory. */
    public static TlsFiles create() throws IOException, InterruptedException {
        TlsFiles f = new TlsFiles(Files.createTempDirectory("tributary-tls"));
        Path ca = f.dir.resolve("ca.p12");
        f.keytool("-genkeypair", "-keystore", ca, "-alias", "ca", "-dname", "CN=Tributary Test CA", "-ext", "bc:c");
        f.keytool("-exportcert", "-rfc", "-keystore", ca, "-alias", "ca", "-file", f.caPem);
        f.keytool("-importcert", "-noprompt", "-keystore", f.truststore, "-alias", "ca", "-file", f.caPem);
        f.signed(ca, f.caPem, f.brokerKeystore, "CN=localhost,O=Tributary", "SAN=ip:127.0.0.1,dns:localhost");
        f.signed(ca, f.caPem, f.clientKeystore, CLIENT_DN, null);
        Path otherCa = f.dir.resolve("other-ca.p12");
        Path otherPem = f.dir.resolve("other-ca.pem");
        f.keytool("-genkeypair", "-keystore", otherCa, "-alias", "ca", "-dname", "CN=Untrusted CA", "-ext", "bc:c");
        f.keytool("-exportcert", "-rfc", "-keystore", otherCa, "-alias", "ca", "-file", otherPem);
        f.signed(otherCa, otherPem, f.strangerKeystore, "CN=mallory,O=Elsewhere", null);
        return f;
    }

    private void signed(Path ca, Path caPem, Path store, String dn, String san) throws IOException, InterruptedException {
        String name = store.getFileName().toString().replace(".p12", "");
        Path csr = dir.resolve(name + ".csr");
        Path crt = dir.resolve(name + ".crt");
        keytool("-genkeypair", "-keystore", store, "-alias", name, "-dname", dn);
        keytool("-certreq", "-keystore", store, "-alias", name, "-file", csr);
        List<Object> gen = new ArrayList<>(List.of("-gencert", "-rfc", "-keystore", ca, "-alias", "ca", "-infile", csr, "-outfile", crt));
        if (san != null) {
            gen.add("-ext");
            gen.add(san);
        }
        keytool(gen.toArray());
        keytool("-importcert", "-noprompt", "-keystore", store, "-alias", "ca", "-file", caPem);
        keytool("-importcert", "-keystore", store, "-alias", name, "-file", crt);
    }

    private void keytool(Object... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        for (Object a : args) {
            cmd.add(a.toString());
        }
        if (List.of(args).contains("-genkeypair")) {
            cmd.addAll(List.of("-keyalg", "EC", "-groupname", "secp256r1", "-validity", "30"));
        }
        cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("keytool timed out: " + cmd);
        }
        if (p.exitValue() != 0) {
            throw new IOException("keytool failed (" + p.exitValue() + "): " + String.join(" ", cmd) + "\n" + out);
        }
    }

    /** Broker-side settings for listener {@code listener} (lower case), prefixed as Kafka's per-listener overrides. */
    public Map<String, String> brokerSettings(String prefix) {
        Map<String, String> m = new HashMap<>();
        m.put(prefix + "ssl.keystore.type", "PKCS12");
        m.put(prefix + "ssl.keystore.location", brokerKeystore.toString());
        m.put(prefix + "ssl.keystore.password", PASSWORD);
        m.put(prefix + "ssl.truststore.type", "PKCS12");
        m.put(prefix + "ssl.truststore.location", truststore.toString());
        m.put(prefix + "ssl.truststore.password", PASSWORD);
        return m;
    }

    /** kafka-clients settings trusting the CA, with {@code keystore} as the client certificate (null: none). */
    public Map<String, Object> clientSettings(Path keystore) {
        Map<String, Object> m = new HashMap<>();
        m.put("security.protocol", "SSL");
        m.put("ssl.truststore.type", "PKCS12");
        m.put("ssl.truststore.location", truststore.toString());
        m.put("ssl.truststore.password", PASSWORD);
        if (keystore != null) {
            m.put("ssl.keystore.type", "PKCS12");
            m.put("ssl.keystore.location", keystore.toString());
            m.put("ssl.keystore.password", PASSWORD);
        }
        return m;
    }

    /** Deletes the directory. */
    public void delete() throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
