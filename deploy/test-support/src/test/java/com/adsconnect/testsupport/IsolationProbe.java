package com.adsconnect.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.devinfra.net.FreePorts;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Shared body of the isolation tests: two classes create the same table in "their" database;
 * with a shared database the second would fail or count two rows.
 */
abstract class IsolationProbe {

    static final Set<String> DATABASES_SEEN = new HashSet<>();

    @Configuration(proxyBeanMethods = false)
    static class NoBeans {
    }

    @Autowired
    Environment environment;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Test
    void ownsAFreshDatabaseNamedAfterTheClass() throws Exception {
        String database = infrastructure.databaseName();
        assertThat(database).startsWith("t_" + getClass().getSimpleName().replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase());
        assertThat(environment.getProperty("spring.r2dbc.url")).endsWith("/" + database);
        assertThat(environment.getProperty("spring.flyway.url")).endsWith("/" + database);
        synchronized (DATABASES_SEEN) {
            assertThat(DATABASES_SEEN.add(database)).as("database shared with another class").isTrue();
        }
        var server = infrastructure.postgres();
        try (Connection connection = DriverManager.getConnection(infrastructure.jdbcUrl(), server.username(), server.password());
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE marker (id int PRIMARY KEY)");
            statement.execute("INSERT INTO marker VALUES (1)");
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM marker")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void pointsAtAReachableKafkaBrokerAndRedis() throws Exception {
        String bootstrap = environment.getProperty("kafka.bootstrap-servers");
        assertThat(bootstrap).isNotBlank();
        String[] hostPort = bootstrap.split(",")[0].split(":");
        assertThat(FreePorts.isListening(hostPort[0], Integer.parseInt(hostPort[1]), 2_000)).isTrue();

        String host = environment.getProperty("spring.data.redis.host");
        int port = environment.getProperty("spring.data.redis.port", Integer.class);
        try (Socket socket = new Socket(host, port); OutputStream out = socket.getOutputStream(); InputStream in = socket.getInputStream()) {
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] reply = new byte[7];
            assertThat(in.readNBytes(reply, 0, 7)).isEqualTo(7);
            assertThat(new String(reply, StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
        }
    }
}
