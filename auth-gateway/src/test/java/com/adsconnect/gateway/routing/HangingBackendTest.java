package com.adsconnect.gateway.routing;

import static com.adsconnect.testsupport.Infrastructure.CLERK;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.testsupport.RealInfrastructure;
import com.adsconnect.testsupport.TestInfrastructure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/** A backend that accepts connections and never answers: the gateway gives up after its timeout with a 504. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "gateway.response-timeout=1s")
@AutoConfigureWebTestClient
@RealInfrastructure(CLERK)
class HangingBackendTest {

    private static final ServerSocket blackHole = openBlackHole();
    private static final List<Socket> held = new CopyOnWriteArrayList<>();

    @Autowired
    WebTestClient web;

    @DynamicPropertySource
    static void backend(DynamicPropertyRegistry registry) {
        registry.add("gateway.account-service-url", () -> "http://127.0.0.1:" + blackHole.getLocalPort());
    }

    private static ServerSocket openBlackHole() {
        try {
            ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!socket.isClosed()) {
                    try {
                        held.add(socket.accept());
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            return socket;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void close() throws IOException {
        blackHole.close();
        for (Socket socket : held) {
            socket.close();
        }
    }

    @Test
    void aBackendThatNeverAnswersGives504AfterTheResponseTimeout() {
        long started = System.nanoTime();
        web.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(TestInfrastructure.clerk().sessionToken("user_hang")))
                .exchange()
                .expectStatus().isEqualTo(504)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/upstream-timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(4));
    }
}
