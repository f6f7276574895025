package com.adsconnect.account.database;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.r2dbc.core.DatabaseClient;
import reactor.core.publisher.Mono;

/** Every pooled session carries PostgreSQL's statement and lock timeouts from the configuration. */
@AccountServiceTest
class DatabaseSessionTest {

    @Autowired
    DatabaseClient db;

    @Test
    void everySessionHasTheConfiguredTimeouts() {
        // both in one session: a pooled connection as the application gets it
        String settings = db.inConnection(connection -> Mono.from(connection.createStatement(
                        "SELECT current_setting('statement_timeout') || '|' || current_setting('lock_timeout')").execute())
                .flatMap(result -> Mono.from(result.map((row, meta) -> row.get(0, String.class)))))
                .block();
        assertThat(settings).isEqualTo("1min|10s");
    }
}
