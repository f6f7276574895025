package com.adsconnect.devinfra.clerk;

import com.svix.Webhook;
import java.util.Map;
import java.util.UUID;

/**
 * Clerk webhook deliveries as Clerk sends them through Svix: the event bodies, a message id, and
 * the signature made by the official Svix library, for tests and suites that play Clerk.
 */
public final class ClerkWebhookEvents {

    private ClerkWebhookEvents() {
    }

    public static String newMessageId() {
        return "msg_" + UUID.randomUUID().toString().replace("-", "");
    }

    /** The {@code svix-signature} header value for the body, as Svix computes it. */
    public static String sign(String secret, String messageId, long timestampSeconds, String body) {
        try {
            return new Webhook(secret).sign(messageId, timestampSeconds, body);
        } catch (Exception e) {
            throw new IllegalStateException("cannot sign a webhook delivery", e);
        }
    }

    /** The {@code svix-id}, {@code svix-timestamp} and {@code svix-signature} headers of a delivery of the body. */
    public static Map<String, String> signedHeaders(String secret, String messageId, long timestampSeconds, String body) {
        return Map.of("svix-id", messageId, "svix-timestamp", String.valueOf(timestampSeconds),
                "svix-signature", sign(secret, messageId, timestampSeconds, body));
    }

    /** A {@code user.created} or {@code user.updated} event, in Clerk's shape. */
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
