package org.tributary.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tributary.config.BrokerConfig;
import org.tributary.config.ConfigException;

/** Database settings that cannot be honoured are refused with one line naming the key. */
class DatabaseConfigTest {
    private static final Path DIR = Path.of("/nonexistent-data");

    @Test
    void theDefaultIsAnH2FileUnderTheDataDirectoryAndNoPasswordIsShown() {
        assertEquals("jdbc:h2:file:/nonexistent-data/db/tributary;DB_CLOSE_ON_EXIT=FALSE",
                Database.open(BrokerConfig.of(Map.of()), DIR).description());
        String d = Database.open(BrokerConfig.of(Map.of(Database.URL, "jdbc:postgresql://db:5432/t?user=x&password=secret")), DIR)
                .description();
        assertTrue(!d.contains("secret") && d.contains("password=***"), d);
    }

    @Test
    void aUrlThatIsNotJdbcOrTwoSourcesAreRefused() {
        ConfigException notJdbc = assertThrows(ConfigException.class,
                () -> Database.open(BrokerConfig.of(Map.of(Database.URL, "postgres://db/t")), DIR));
        assertTrue(notJdbc.getMessage().contains(Database.URL), notJdbc.getMessage());
        ConfigException both = assertThrows(ConfigException.class, () -> Database.open(BrokerConfig.of(Map.of(
                Database.URL, "jdbc:postgresql://db/t", Database.DATASOURCE, "jdbc/tributary")), DIR));
        assertTrue(both.getMessage().contains(Database.DATASOURCE), both.getMessage());
        ConfigException unreadable = assertThrows(ConfigException.class, () -> Database.open(BrokerConfig.of(Map.of(
                Database.URL, "jdbc:postgresql://db/t", Database.PASSWORD_FILE, "/nonexistent/pw")), DIR));
        assertTrue(unreadable.getMessage().contains(Database.PASSWORD_FILE), unreadable.getMessage());
    }

    @Test
    void aConfiguredAdminPasswordMustBeLongEnough() {
        ConfigException e = assertThrows(ConfigException.class, () -> new FirstAdmin(null,
                BrokerConfig.of(Map.of(FirstAdmin.PASSWORD, "short")), DIR, "http://localhost:8080"));
        assertTrue(e.getMessage().contains(FirstAdmin.PASSWORD) && !e.getMessage().contains("short"), e.getMessage());
    }
}
