package org.tributary.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.tributary.ee.GridIndependentConfigDefaults;

/**
 * Every MicroProfile Config key that the Payara Micro runtime's JAX-RS telemetry code reads on a
 * request is answered by {@link GridIndependentConfigDefaults}, above Payara's cluster config source.
 * A key missing there would be read from the data grid on the first call of each REST method, and
 * that call would hang while any grid member is frozen. Reads the runtime Tributary ships
 * ({@code server-config/target/runtime/payara-micro.jar}); fails when a Payara upgrade adds such a key.
 */
class PayaraGridConfigLookupsIT {
    /** Server-side tracing keys: {@code mp.opentracing.server.*} and Payara's {@code payara.telemetry.*}. */
    private static final Pattern SERVER_KEY = Pattern.compile("(mp\\.opentracing\\.server\\.[a-z-]+|payara\\.telemetry\\.[a-z.-]+)");
    private static final String JAXRS_PACKAGE = "fish/payara/microprofile/telemetry/tracing/jaxrs/";

    @Test
    void theTelemetryListenersKeysAreAnsweredAboveTheClusterSource() throws IOException {
        Path runtime = Path.of(System.getProperty("tributary.runtime", "../server-config/target/runtime"), "payara-micro.jar");
        assertTrue(Files.isRegularFile(runtime), "the Payara Micro runtime is built: " + runtime);
        Set<String> keys = new TreeSet<>();
        try (ZipInputStream outer = new ZipInputStream(Files.newInputStream(runtime))) {
            for (ZipEntry e; (e = outer.getNextEntry()) != null; ) {
                if (e.getName().equals("MICRO-INF/runtime/microprofile-telemetry.jar")) {
                    keys.addAll(serverKeysIn(new ByteArrayInputStream(outer.readAllBytes())));
                }
            }
        }
        assertFalse(keys.isEmpty(), "found the JAX-RS telemetry listener's config keys in " + runtime);
        Set<String> unanswered = new TreeSet<>(keys);
        unanswered.removeAll(GridIndependentConfigDefaults.VALUES.keySet());
        assertTrue(unanswered.isEmpty(), "keys Payara's JAX-RS telemetry reads (" + keys + ") that would be looked up in the"
                + " data grid: " + unanswered);
        assertTrue(GridIndependentConfigDefaults.ORDINAL > GridIndependentConfigDefaults.PAYARA_CLUSTER_ORDINAL);
    }

    /** The key-like string constants of the server-side JAX-RS telemetry classes in one jar. */
    private static Set<String> serverKeysIn(InputStream jar) throws IOException {
        Set<String> keys = new TreeSet<>();
        try (ZipInputStream in = new ZipInputStream(jar)) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                String name = e.getName();
                if (name.startsWith(JAXRS_PACKAGE) && !name.startsWith(JAXRS_PACKAGE + "client/") && name.endsWith(".class")) {
                    // constant-pool strings are modified UTF-8; these keys are plain ASCII
                    Matcher m = SERVER_KEY.matcher(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
                    while (m.find()) {
                        keys.add(m.group(1));
                    }
                }
            }
        }
        return keys;
    }
}
