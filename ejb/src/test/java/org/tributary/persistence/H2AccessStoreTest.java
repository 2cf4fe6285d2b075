package org.tributary.persistence;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.tributary.config.BrokerConfig;

/** The access store on the default database: an embedded H2 file under the data directory. */
class H2AccessStoreTest extends AccessStoreContract {
    private static Path nodeDir;

    @BeforeAll
    static void dir() throws Exception {
        nodeDir = Files.createTempDirectory("tributary-h2");
    }

    @AfterAll
    static void clean() throws Exception {
        try (var files = Files.walk(nodeDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Override
    Database database() {
        Database d = Database.open(BrokerConfig.of(Map.of()), nodeDir);
        d.read(em -> null);
        if (!Files.exists(nodeDir.resolve("db").resolve("tributary.mv.db"))) {
            throw new AssertionError("the default database is the H2 file <data dir>/db/tributary.mv.db");
        }
        return d;
    }
}
