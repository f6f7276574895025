package com.adsconnect.account.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies Svix webhook signatures as Clerk sends them: HMAC-SHA256, keyed with the base64 part of
 * the {@code whsec_} secret, over {@code svix-id.svix-timestamp.body}; {@code svix-signature}
 * holds one or more space-separated {@code v1,<base64>} signatures (several during secret
 * rotation), any of which may match. The timestamp must be within the tolerance either way,
 * which bounds how long a captured delivery can be replayed.
 */
final class SvixSignatureVerifier {

    private static final String SECRET_PREFIX = "whsec_";

    private final byte[] key;
    private final Duration tolerance;
    private final Clock clock;

    SvixSignatureVerifier(String secret, Duration tolerance, Clock clock) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("no webhook secret configured");
        }
        String encoded = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
        this.key = Base64.getDecoder().decode(encoded);
        this.tolerance = tolerance;
        this.clock = clock;
    }

    void verify(String id, String timestamp, String signatures, byte[] body) {
        if (isBlank(id) || isBlank(timestamp) || isBlank(signatures)) {
            throw new WebhookRejected("svix-id, svix-timestamp and svix-signature headers are required");
        }
        Instant sentAt;
        try {
            sentAt = Instant.ofEpochSecond(Long.parseLong(timestamp.trim()));
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw new WebhookRejected("svix-timestamp is not a Unix time in seconds");
        }
        Instant now = clock.instant();
        if (sentAt.isBefore(now.minus(tolerance)) || sentAt.isAfter(now.plus(tolerance))) {
            throw new WebhookRejected("svix-timestamp is outside the accepted window");
        }
        byte[] expected = sign(id.trim() + "." + timestamp.trim() + ".", body);
        for (String candidate : signatures.trim().split(" +")) {
            int comma = candidate.indexOf(',');
            if (comma < 0 || !"v1".equals(candidate.substring(0, comma))) {
                continue;
            }
            byte[] given;
            try {
                given = Base64.getDecoder().decode(candidate.substring(comma + 1));
            } catch (IllegalArgumentException notBase64) {
                continue;
            }
            if (MessageDigest.isEqual(expected, given)) {
                return;
            }
        }
        throw new WebhookRejected("no svix-signature matches");
    }

    private byte[] sign(String prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update(prefix.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
