package org.tributary.persistence;

import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.tributary.config.BrokerConfig;
import org.tributary.testkit.LocalPostgres;

/**
 * The same access store on a real PostgreSQL server the test starts (and always stops), configured
 * the way an operator would: {@code tributary.db.url}, {@code .user}, {@code .password}.
 */
class PostgresAccessStoreTest extends AccessStoreContract {
    private static LocalPostgres pg;

    @BeforeAll
    static void startServer() throws Exception {
        pg = LocalPostgres.start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (pg != null) {
            pg.close();
        }
    }

    @Override
    Database database() {
        return Database.open(BrokerConfig.of(Map.of(Database.URL, pg.jdbcUrl(), Database.USER, LocalPostgres.USER,
                Database.PASSWORD, LocalPostgres.PASSWORD)), java.nio.file.Path.of("/nonexistent"));
    }
}
