package com.adsconnect.devinfra.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adsconnect.devinfra.postgres.PostgresLocator;
import com.adsconnect.devinfra.postgres.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class TcpProxyTest {

    private final PostgresServer postgres = PostgresLocator.findRunning()
            .orElseThrow(() -> new IllegalStateException("these tests need the local PostgreSQL on 127.0.0.1:5432"));

    @Test
    void cutBreaksOpenConnectionsAndRefusesNewOnesUntilRestored() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(postgres.host(), postgres.port())) {
            PostgresServer viaProxy = postgres.via(proxy.host(), proxy.port());
            try (Connection open = connect(viaProxy)) {
                assertThat(selectOne(open)).isEqualTo(1);

                proxy.cut();

                assertThatThrownBy(() -> selectOne(open)).isInstanceOf(SQLException.class);
                assertThat(viaProxy.isReachable()).isFalse();
            }
            proxy.restore();
            try (Connection reopened = connect(viaProxy)) {
                assertThat(selectOne(reopened)).isEqualTo(1);
            }
        }
    }

    private static Connection connect(PostgresServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl("postgres"), server.username(), server.password());
    }

    private static int selectOne(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery("SELECT 1")) {
            rows.next();
            return rows.getInt(1);
        }
    }
}
