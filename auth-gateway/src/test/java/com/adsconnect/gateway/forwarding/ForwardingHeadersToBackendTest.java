package com.adsconnect.gateway.forwarding;

import static com.adsconnect.testsupport.Infrastructure.CLERK;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.testsupport.RealInfrastructure;
import com.adsconnect.testsupport.TestInfrastructure;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What the backend hears about forwarding: exactly one {@code X-Forwarded-For} (the client as the
 * gateway settled it) and {@code X-Forwarded-Proto}; whatever forwarding headers the caller wrote
 * never arrive. A backend on the JDK's HTTP server records the headers it got.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@RealInfrastructure(CLERK)
class ForwardingHeadersToBackendTest {

    private static final AtomicReference<Headers> received = new AtomicReference<>();
    private static final HttpServer backend = startBackend();

    @Autowired
    WebTestClient web;

    @DynamicPropertySource
    static void backend(DynamicPropertyRegistry registry) {
        registry.add("gateway.account-service-url", () -> "http://127.0.0.1:" + backend.getAddress().getPort());
    }

    private static HttpServer startBackend() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", exchange -> {
                received.set(exchange.getRequestHeaders());
                byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stop() {
        backend.stop(0);
    }

    @Test
    void theCallersForwardingHeadersNeverReachTheBackendOnlyTheGatewaysDo() {
        web.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(TestInfrastructure.clerk().sessionToken("user_forwarding")))
                .header("Forwarded", "for=198.51.100.9;host=evil.example;proto=https")
                .header("X-Forwarded-For", "198.51.100.10")
                .header("X-Forwarded-Host", "evil.example")
                .header("X-Forwarded-Port", "8443")
                .header("X-Forwarded-Prefix", "/admin")
                .header("X-Forwarded-Proto", "https")
                .exchange()
                .expectStatus().isOk();

        Headers headers = received.get();
        assertThat(headers.get("X-Forwarded-For")).as("the peer: no trusted proxy is configured").containsExactly("127.0.0.1");
        assertThat(headers.get("X-Forwarded-Proto")).containsExactly("http");
        assertThat(headers.keySet()).noneMatch(name -> name.equalsIgnoreCase("Forwarded") || name.equalsIgnoreCase("X-Forwarded-Host")
                || name.equalsIgnoreCase("X-Forwarded-Port") || name.equalsIgnoreCase("X-Forwarded-Prefix"));
    }
}
