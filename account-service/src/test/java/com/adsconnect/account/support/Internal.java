package com.adsconnect.account.support;

import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Calls of the internal API as internal services and the token-refresher make them. */
public final class Internal {

    private final WebTestClient web;

    public Internal(WebTestClient web) {
        this.web = web;
    }

    /**
     * Asks for a token once the service has been notified of every change committed before (by the
     * test's SQL or by an earlier request): the token API serves from memory what it has not been
     * told changed ({@link NotifiedChanges}).
     */
    public WebTestClient.ResponseSpec token(String apiKey, Map<String, Object> body) {
        NotifiedChanges.awaitDelivered();
        return web.post().uri("/internal/v1/tokens").header("X-Api-Key", apiKey)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    public WebTestClient.ResponseSpec lease(String connectionId, long generation) {
        return web.post().uri("/internal/v1/refresh/leases").headers(h -> h.setBearerAuth(TestApiKeys.REFRESHER))
                .contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("connectionId", connectionId, "generation", generation)).exchange();
    }

    public WebTestClient.ResponseSpec report(Map<String, Object> body) {
        return web.post().uri("/internal/v1/refresh/reports").headers(h -> h.setBearerAuth(TestApiKeys.REFRESHER))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    /** Many leases in one request: {@code generations} by connection id. */
    public WebTestClient.ResponseSpec leases(Object body) {
        return web.post().uri("/internal/v1/refresh/lease-batches").headers(h -> h.setBearerAuth(TestApiKeys.REFRESHER))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    public WebTestClient.ResponseSpec reports(Object body) {
        return web.post().uri("/internal/v1/refresh/report-batches").headers(h -> h.setBearerAuth(TestApiKeys.REFRESHER))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange();
    }

    public static Map<String, Object> success(String connectionId, long generation, String accessToken) {
        return Map.of("connectionId", connectionId, "generation", generation, "outcome", "SUCCESS",
                "accessToken", accessToken, "expiresInSeconds", 3600);
    }

    /** A success whose refresh also rotated the refresh token. */
    public static Map<String, Object> rotated(String connectionId, long generation, String accessToken, String refreshToken) {
        return Map.of("connectionId", connectionId, "generation", generation, "outcome", "SUCCESS",
                "accessToken", accessToken, "expiresInSeconds", 3600, "refreshToken", refreshToken);
    }

    public static Map<String, Object> failure(String connectionId, long generation, String outcome, String errorCode) {
        return Map.of("connectionId", connectionId, "generation", generation, "outcome", outcome, "errorCode", errorCode);
    }
}
