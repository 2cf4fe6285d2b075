package org.tributary.ee;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Adds {@code tributary.properties} to MicroProfile Config, below system properties (400) and
 * environment variables (300): the file named by the system property or environment variable
 * {@code tributary.config.file} / {@code TRIBUTARY_CONFIG_FILE}, else {@code ./tributary.properties}
 * when present. Keys are Kafka's property names.
 */
public class PropertiesFileConfigSource implements ConfigSource {
    private static final Logger LOG = Logger.getLogger(PropertiesFileConfigSource.class.getName());
    private final Map<String, String> values;
    private final String name;

    public PropertiesFileConfigSource() {
        String configured = System.getProperty("tributary.config.file", System.getenv("TRIBUTARY_CONFIG_FILE"));
        Path file = configured != null && !configured.isBlank() ? Paths.get(configured) : Paths.get("tributary.properties");
        this.name = "tributary.properties (" + file.toAbsolutePath() + ")";
        Map<String, String> m = new HashMap<>();
        if (Files.isRegularFile(file)) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
                p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
            } catch (IOException e) {
                LOG.warning(() -> "TRIB-0004 Cannot read configuration file " + file.toAbsolutePath() + ": " + e.getMessage());
            }
        } else if (configured != null && !configured.isBlank()) {
            LOG.warning(() -> "TRIB-0004 Configuration file " + file.toAbsolutePath() + " (tributary.config.file) does not exist; using defaults");
        }
        this.values = Map.copyOf(m);
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String key) {
        return values.get(key);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getOrdinal() {
        return 150;
    }
}
