package com.adsconnect.devinfra.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.adsconnect.devinfra.postgres.PostgresLocator;
import com.adsconnect.devinfra.postgres.PostgresServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    @Test
    void aStallHoldsTrafficWithoutBreakingConnectionsAndResumePassesItOn() throws Exception {
        try (TcpProxy proxy = TcpProxy.start(postgres.host(), postgres.port());
                Connection direct = connect(postgres)) {
            PostgresServer viaProxy = postgres.via(proxy.host(), proxy.port());
            try (Connection open = connect(viaProxy)) {
                String probe = "stall-probe-" + System.nanoTime();
                proxy.stall();
                var answer = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try (Statement statement = open.createStatement();
                            ResultSet rows = statement.executeQuery("SELECT '" + probe + "'")) {
                        rows.next();
                        return rows.getString(1);
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });

                // the query is held in the proxy: PostgreSQL has not seen it, and the client waits
                assertThat(seen(direct, probe)).isZero();
                assertThat(answer).isNotDone();

                proxy.resume();

                assertThat(answer.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(probe);
                assertThat(selectOne(open)).isEqualTo(1);
            }
        }
    }

    private static int seen(Connection direct, String probe) throws SQLException {
        try (Statement statement = direct.createStatement(); ResultSet rows = statement.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%" + probe + "%' AND pid <> pg_backend_pid()")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Test
    void spreadsConnectionsOverTargetsAndSkipsOnesThatAreDown() throws Exception {
        try (AnsweringServer a = AnsweringServer.start("a"); AnsweringServer b = AnsweringServer.start("b");
                TcpProxy balancer = TcpProxy.balancing(0, List.of(a.address(), b.address()))) {
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                answers.add(ask(balancer));
            }
            assertThat(answers).containsExactlyInAnyOrder("a", "a", "b", "b");
            b.close(); // returns once b's port refuses connections
            for (int i = 0; i < 4; i++) {
                assertThat(ask(balancer)).isEqualTo("a");
            }
        }
    }

    /** A server that writes its name to every connection and closes it. */
    private record AnsweringServer(ServerSocket socket, Thread acceptor) implements AutoCloseable {

        static AnsweringServer start(String name) throws IOException {
            ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread acceptor = Thread.ofPlatform().daemon().name("answering-" + name).start(() -> {
                while (!server.isClosed()) {
                    try (Socket client = server.accept()) {
                        client.getOutputStream().write(name.getBytes(StandardCharsets.UTF_8));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            return new AnsweringServer(server, acceptor);
        }

        InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }

        /**
         * Stops listening. The port is released only when the thread blocked in accept has left it
         * (the JDK defers the close of a socket in use to its last user), so this waits for it: until
         * then the kernel would still complete new connections and reset them a moment later.
         */
        @Override
        public void close() throws IOException {
            socket.close();
            try {
                acceptor.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String ask(TcpProxy proxy) throws IOException {
        try (Socket socket = new Socket(proxy.host(), proxy.port())) {
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
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
