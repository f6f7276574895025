package com.adsconnect.devinfra.amazon;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Connects a sandbox account exactly as the front end and the browser would: start, follow the
 * authorization URL (the sandbox consents), post the callback. Amazon through its
 * {@code /api/v1/amazon} routes, any provider through {@code /api/v1/integrations}. For the local
 * run's demo, the benchmarks and the integration tests; the base URL is the gateway's or
 * account-service's.
 */
public final class SandboxConnectFlow {

    /** The connection made. */
    public record Result(String id, String summary) {
    }

    private final String baseUrl;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    public SandboxConnectFlow(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public Result connect(String sessionToken, String region) throws InterruptedException {
        return authorize(sessionToken, "/api/v1/amazon/connections", Map.of("region", region), "/api/v1/amazon/connections/callback");
    }

    /** Connects the provider's sandbox account ({@code google}, {@code microsoft}, or {@code amazon} with a region). */
    public Result connectProvider(String sessionToken, String provider, Map<String, Object> startBody) throws InterruptedException {
        return authorize(sessionToken, "/api/v1/integrations/providers/" + provider + "/authorizations", startBody,
                "/api/v1/integrations/callback");
    }

    /** Runs the reauthorization of a connection ({@code REAUTH_REQUIRED}) through the same consent and callback. */
    public Result reauthorize(String sessionToken, String connectionId) throws InterruptedException {
        return authorize(sessionToken, "/api/v1/amazon/connections/" + connectionId + "/reauthorize", Map.of(),
                "/api/v1/amazon/connections/callback");
    }

    /** The reauthorization of any provider's connection, through the integrations routes. */
    public Result reauthorizeIntegration(String sessionToken, String connectionId) throws InterruptedException {
        return authorize(sessionToken, "/api/v1/integrations/" + connectionId + "/reauthorize", Map.of(), "/api/v1/integrations/callback");
    }

    private Result authorize(String sessionToken, String startPath, Map<String, Object> startBody, String callbackPath)
            throws InterruptedException {
        try {
            Map<String, Object> started = post(sessionToken, startPath, startBody, 201);
            HttpResponse<Void> consent = http.send(HttpRequest.newBuilder(URI.create((String) started.get("authorizationUrl")))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
            Map<String, String> returned = query(URI.create(consent.headers().firstValue("Location")
                    .orElseThrow(() -> new IllegalStateException("the sandbox consent page did not redirect"))));
            Map<String, Object> connection = post(sessionToken, callbackPath,
                    Map.of("code", returned.get("code"), "state", returned.get("state")), 200);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> profiles = (List<Map<String, Object>>) connection.get("profiles");
            String names = String.join(", ", profiles.stream()
                    .map(p -> String.valueOf(p.get("countryCode") != null ? p.get("countryCode") : p.get("accountName"))).toList());
            return new Result((String) connection.get("id"), connection.get("status") + ", profiles " + names);
        } catch (IOException | ParseException e) {
            throw new IllegalStateException("could not authorize a sandbox account: " + e.getMessage(), e);
        }
    }

    private Map<String, Object> post(String token, String path, Map<String, Object> body, int expectedStatus)
            throws IOException, InterruptedException, ParseException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSONObjectUtils.toJSONString(body)))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expectedStatus) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSONObjectUtils.parse(response.body());
    }

    private static Map<String, String> query(URI location) {
        Map<String, String> values = new HashMap<>();
        for (String pair : location.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            values.put(kv[0], kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return values;
    }
}
