package com.adsconnect.benchmarks;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.google.SandboxGoogle;
import com.adsconnect.devinfra.microsoft.SandboxMicrosoft;
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
 * The three providers' token endpoints for refresh grants only, as the refresh benchmarks need them
 * and no more, each in its wire format (RFC 6749: a form-encoded POST with {@code grant_type},
 * {@code refresh_token}, {@code client_id}, {@code client_secret}; a JSON answer or
 * {@code {"error": ...}} with 400/401), after a fixed latency:
 * <ul>
 *   <li>Login with Amazon at {@code /auth/o2/token}: the same refresh token back;</li>
 *   <li>Google at {@code /token}: no refresh token in the answer;</li>
 *   <li>the Microsoft identity platform at {@code /common/oauth2/v2.0/token}: a new refresh token
 *       every time (rotation), which the next refresh must use.</li>
 * </ul>
 * The sandboxes (WireMock, with their request journal and matching) cost more CPU per call than the
 * services under test, on the same two cores; this runs on the JDK's HTTP server with a virtual
 * thread per request. Refresh tokens must start with the prefix (synthetic grants). It counts calls
 * per refresh token, so a benchmark can tell that no refresh token was used twice.
 */
final class LightTokenEndpoints implements AutoCloseable {

    private final HttpServer server;
    private final String refreshTokenPrefix;
    private final Duration latency;
    private final Map<String, AtomicInteger> callsPerRefreshToken = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> callsPerProvider = new ConcurrentHashMap<>();
    private final AtomicLong issued = new AtomicLong();

    LightTokenEndpoints(String refreshTokenPrefix, Duration latency) throws IOException {
        this.refreshTokenPrefix = refreshTokenPrefix;
        this.latency = latency;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/auth/o2/token", exchange -> token(exchange, "amazon", SandboxAmazon.CLIENT_ID, SandboxAmazon.CLIENT_SECRET));
        server.createContext("/token", exchange -> token(exchange, "google", SandboxGoogle.CLIENT_ID, SandboxGoogle.CLIENT_SECRET));
        server.createContext("/common/oauth2/v2.0/token",
                exchange -> token(exchange, "microsoft", SandboxMicrosoft.CLIENT_ID, SandboxMicrosoft.CLIENT_SECRET));
        server.start();
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Login with Amazon's token endpoint (every region's). */
    String amazonTokenUrl() {
        return base() + "/auth/o2/token";
    }

    String googleTokenUrl() {
        return base() + "/token";
    }

    /** The identity platform's host: the refresher adds {@code /common/oauth2/v2.0/token}. */
    String microsoftLoginBaseUrl() {
        return base();
    }

    /** Refresh grants answered so far. */
    long calls() {
        return callsPerRefreshToken.values().stream().mapToLong(AtomicInteger::get).sum();
    }

    /** Refresh grants answered so far by the provider ({@code amazon}, {@code google}, {@code microsoft}). */
    long calls(String provider) {
        AtomicLong calls = callsPerProvider.get(provider);
        return calls == null ? 0 : calls.get();
    }

    /** Refresh tokens that were used more than once (for Microsoft's, a rotated-out one used again). */
    long refreshTokensUsedTwice() {
        return callsPerRefreshToken.values().stream().filter(calls -> calls.get() > 1).count();
    }

    private void token(HttpExchange exchange, String provider, String clientId, String clientSecret) throws IOException {
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
            callsPerProvider.computeIfAbsent(provider, p -> new AtomicLong()).incrementAndGet();
            try {
                Thread.sleep(latency);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long n = issued.incrementAndGet();
            answer(exchange, 200, switch (provider) {
                case "google" -> "{\"access_token\":\"ya29.bench-" + n + "\",\"expires_in\":3599,"
                        + "\"scope\":\"https://www.googleapis.com/auth/adwords\",\"token_type\":\"Bearer\"}";
                case "microsoft" -> "{\"token_type\":\"Bearer\",\"scope\":\"https://ads.microsoft.com/msads.manage\",\"expires_in\":3599,"
                        + "\"ext_expires_in\":3599,\"access_token\":\"EwB.bench-" + n + "\",\"refresh_token\":\"" + rotated(refreshToken, n) + "\"}";
                default -> "{\"access_token\":\"Atza|bench-" + n + "\",\"refresh_token\":\"" + refreshToken
                        + "\",\"token_type\":\"bearer\",\"expires_in\":3600}";
            });
        }
    }

    /** Microsoft's next refresh token for a synthetic grant: the grant's name with a new suffix. */
    private static String rotated(String refreshToken, long n) {
        int suffix = refreshToken.indexOf("~r");
        return (suffix < 0 ? refreshToken : refreshToken.substring(0, suffix)) + "~r" + n;
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
