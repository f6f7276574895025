package com.adsconnect.account.support;

import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Drives the provider-neutral connect flow ({@code /api/v1/integrations}) as the front end and the browser would. */
public final class Integrations {

    private Integrations() {
    }

    /** Step 1: the authorization URL and state for the provider ({@code google}, {@code microsoft}, {@code amazon}). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> start(WebTestClient user, String provider, Map<String, Object> body) {
        return startSpec(user, provider, body).expectStatus().isCreated().expectBody(Map.class).returnResult().getResponseBody();
    }

    public static WebTestClient.ResponseSpec startSpec(WebTestClient user, String provider, Map<String, Object> body) {
        WebTestClient.RequestBodySpec request = user.post().uri("/api/v1/integrations/providers/{provider}/authorizations", provider)
                .contentType(MediaType.APPLICATION_JSON);
        return (body == null ? request : request.bodyValue(body)).exchange();
    }

    public static WebTestClient.ResponseSpec callback(WebTestClient user, AmazonConnect.Redirect redirect) {
        return user.post().uri("/api/v1/integrations/callback").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("code", redirect.code(), "state", redirect.state())).exchange();
    }

    /** The whole flow (the sandbox consents); emits the connection's JSON. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> connect(WebTestClient user, String provider) {
        Map<String, Object> started = start(user, provider, null);
        AmazonConnect.Redirect redirect = AmazonConnect.consent((String) started.get("authorizationUrl"));
        return callback(user, redirect).expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }
}
