package com.adsconnect.account.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Drives the connect flow as the front end and the browser would. */
public final class AmazonConnect {

    private static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private AmazonConnect() {
    }

    /** What Amazon handed back to the front end's callback page. */
    public record Redirect(String code, String state) {
    }

    /** Step 1 for the user: the authorization URL and state. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> start(WebTestClient user, String region) {
        return user.post().uri("/api/v1/amazon/connections").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("region", region)).exchange()
                .expectStatus().isCreated()
                .expectBody(Map.class).returnResult().getResponseBody();
    }

    /** The browser visits the authorization URL; the sandbox consents and redirects back. */
    public static Redirect consent(String authorizationUrl) {
        try {
            HttpResponse<Void> response = BROWSER.send(HttpRequest.newBuilder(URI.create(authorizationUrl)).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(response.statusCode()).isEqualTo(302);
            URI location = URI.create(response.headers().firstValue("Location").orElseThrow());
            Map<String, String> query = new HashMap<>();
            for (String pair : location.getRawQuery().split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
            return new Redirect(query.get("code"), query.get("state"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static WebTestClient.ResponseSpec callback(WebTestClient user, Redirect redirect) {
        return user.post().uri("/api/v1/amazon/connections/callback").contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("code", redirect.code(), "state", redirect.state())).exchange();
    }

    /** The whole flow; emits the connection's JSON. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> connect(WebTestClient user, String region) {
        Map<String, Object> started = start(user, region);
        Redirect redirect = consent((String) started.get("authorizationUrl"));
        return callback(user, redirect).expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody();
    }
}
