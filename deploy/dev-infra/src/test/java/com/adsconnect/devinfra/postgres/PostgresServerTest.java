package com.adsconnect.devinfra.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.DriverManager;
import org.junit.jupiter.api.Test;

class PostgresServerTest {

    private final PostgresServer postgres = PostgresLocator.findRunning()
            .orElseThrow(() -> new IllegalStateException("these tests need the local PostgreSQL on 127.0.0.1:5432"));

    @Test
    void createsAndDropsDatabases() throws Exception {
        String name = "devinfra_check_" + ProcessHandle.current().pid();
        postgres.ensureDatabase(name);
        postgres.ensureDatabase(name);
        try (var connection = DriverManager.getConnection(postgres.jdbcUrl(name), postgres.username(), postgres.password())) {
            assertThat(connection.isValid(2)).isTrue();
        }
        postgres.dropDatabase(name);
        assertThatThrownBy(() -> DriverManager.getConnection(postgres.jdbcUrl(name), postgres.username(), postgres.password()))
                .hasMessageContaining("does not exist");
    }

    @Test
    void refusesNamesThatCouldInjectSql() {
        assertThatThrownBy(() -> postgres.ensureDatabase("x; DROP DATABASE test"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
