package com.adsconnect.benchmarks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Login with Amazon's token endpoint for refresh grants only, as a refresh benchmark needs it and
 * no more: the wire format Amazon documents (a form-encoded POST with {@code grant_type},
 * {@code refresh_token}, {@code client_id}, {@code client_secret}; a JSON answer with
 * {@code access_token}, {@code refresh_token}, {@code token_type}, {@code expires_in}, or
 * {@code {"error": ...}} with 400/401), after a fixed latency. The sandbox Amazon (WireMock, with
 * its request journal and matching) costs more CPU per call than the services under test, on the
 * same two cores; this one runs on the JDK's HTTP server with a virtual thread per request. It
 * counts calls per refresh token, so a benchmark can tell that each connection was refreshed by
 * exactly one call.
 */
final class LightAmazonTokenEndpoint implements AutoCloseable {

    private final HttpServer server;
    private final String clientId;
    private final String clientSecret;
    private final String refreshTokenPrefix;
    private final Duration latency;
    private final Map<String, AtomicInteger> callsPerRefreshToken = new ConcurrentHashMap<>();
    private final AtomicLong issued = new AtomicLong();

    LightAmazonTokenEndpoint(String clientId, String clientSecret, String refreshTokenPrefix, Duration latency) throws IOException {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.refreshTokenPrefix = refreshTokenPrefix;
        this.latency = latency;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/auth/o2/token", this::token);
        server.start();
    }

    String tokenUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/auth/o2/token";
    }

    /** Refresh grants answered so far. */
    long calls() {
        return callsPerRefreshToken.values().stream().mapToLong(AtomicInteger::get).sum();
    }

    /** Refresh tokens that were used more than once. */
    long refreshTokensUsedTwice() {
        return callsPerRefreshToken.values().stream().filter(calls -> calls.get() > 1).count();
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, "{\"error\":\"invalid_request\"}");
                return;
            }
            Map<String, String> form = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            if (!clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
                answer(exchange, 401, "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed\"}");
                return;
            }
            String refreshToken = form.get("refresh_token");
            if (!"refresh_token".equals(form.get("grant_type")) || refreshToken == null || !refreshToken.startsWith(refreshTokenPrefix)) {
                answer(exchange, 400, "{\"error\":\"invalid_grant\",\"error_description\":\"The request has an invalid grant parameter\"}");
                return;
            }
            callsPerRefreshToken.computeIfAbsent(refreshToken, token -> new AtomicInteger()).incrementAndGet();
            try {
                Thread.sleep(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            answer(exchange, 200, "{\"access_token\":\"Atza|bench-" + issued.incrementAndGet() + "\",\"refresh_token\":\""
                    + refreshToken + "\",\"token_type\":\"bearer\",\"expires_in\":3600}");
        }
    }

    private static void answer(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json;charset=UTF-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                form.put(URLDecoder.decode(pair.substring(0, equals), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
