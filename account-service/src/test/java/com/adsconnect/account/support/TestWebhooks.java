package com.adsconnect.account.support;

import com.adsconnect.devinfra.clerk.ClerkWebhookEvents;
import java.time.Instant;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Clerk webhook deliveries signed by the official Svix library. */
public final class TestWebhooks {

    /** A test-only Svix secret ("whsec_" + base64 of 24 fixed bytes). */
    public static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private final WebTestClient web;

    public TestWebhooks(WebTestClient web) {
        this.web = web;
    }

    public static String newMessageId() {
        return ClerkWebhookEvents.newMessageId();
    }

    public static String sign(String secret, String messageId, long timestamp, String body) {
        return ClerkWebhookEvents.sign(secret, messageId, timestamp, body);
    }

    /** Delivers the body as Svix would, signed now with the test secret. */
    public WebTestClient.ResponseSpec deliver(String messageId, String body) {
        long now = Instant.now().getEpochSecond();
        return deliver(messageId, String.valueOf(now), sign(SECRET, messageId, now, body), body);
    }

    public WebTestClient.ResponseSpec deliver(String messageId, String timestamp, String signature, String body) {
        return web.post().uri("/webhooks/clerk")
                .contentType(MediaType.APPLICATION_JSON)
                .headers(h -> {
                    if (messageId != null) {
                        h.set("svix-id", messageId);
                    }
                    if (timestamp != null) {
                        h.set("svix-timestamp", timestamp);
                    }
                    if (signature != null) {
                        h.set("svix-signature", signature);
                    }
                })
                .bodyValue(body)
                .exchange();
    }

    public static String userEvent(String type, String userId, String email, String firstName, long updatedAtMillis) {
        return ClerkWebhookEvents.userEvent(type, userId, email, firstName, updatedAtMillis);
    }

    public static String userDeleted(String userId) {
        return ClerkWebhookEvents.userDeleted(userId);
    }
}
