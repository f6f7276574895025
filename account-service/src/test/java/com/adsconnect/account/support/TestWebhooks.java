package com.adsconnect.account.support;

import com.svix.Webhook;
import java.time.Instant;
import java.util.UUID;
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
        return "msg_" + UUID.randomUUID().toString().replace("-", "");
    }

    public static String sign(String secret, String messageId, long timestamp, String body) {
        try {
            return new Webhook(secret).sign(messageId, timestamp, body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
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
        return """
                {"type":"%s","object":"event","data":{"id":"%s","object":"user","first_name":"%s","last_name":"Doe",
                "image_url":"https://img.clerk.com/%s","primary_email_address_id":"idn_2",
                "email_addresses":[{"id":"idn_1","email_address":"old-%s"},{"id":"idn_2","email_address":"%s"}],
                "created_at":1700000000000,"updated_at":%d}}""".formatted(type, userId, firstName, userId, email, email, updatedAtMillis);
    }

    public static String userDeleted(String userId) {
        return """
                {"type":"user.deleted","object":"event","data":{"id":"%s","object":"user","deleted":true}}""".formatted(userId);
    }
}
