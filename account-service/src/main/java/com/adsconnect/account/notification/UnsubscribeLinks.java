package com.adsconnect.account.notification;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * The signed tokens of unsubscribe links: which user turns off which kind of email, signed with
 * HMAC-SHA256 under {@code notifications.email.unsubscribe-key}, so that a link works without
 * signing in (RFC 8058 one-click) and nobody can forge one for another user. A link does not
 * expire: it is only ever able to turn one kind of email off.
 */
@Component
public class UnsubscribeLinks {

    /** What a link turns off. */
    public enum Topic { CONNECTION_ALERTS, WEEKLY_REPORT }

    /** A verified link: whose and what. */
    public record Unsubscribe(String userId, Topic topic) {
    }

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    private static final int MIN_KEY_BYTES = 32;

    private final byte[] key;

    UnsubscribeLinks(NotificationProperties properties) {
        String configured = properties.email().unsubscribeKey();
        this.key = configured == null || configured.isBlank() ? null : Base64.getDecoder().decode(configured.strip());
        if (key != null && key.length < MIN_KEY_BYTES) {
            throw new IllegalStateException("notifications.email.unsubscribe-key must hold at least " + MIN_KEY_BYTES + " bytes");
        }
    }

    boolean configured() {
        return key != null;
    }

    String tokenFor(String userId, Topic topic) {
        if (key == null) {
            throw new IllegalStateException("notifications.email.unsubscribe-key is not set");
        }
        String payload = ENCODER.encodeToString((topic.name() + ":" + userId).getBytes(StandardCharsets.UTF_8));
        return payload + "." + ENCODER.encodeToString(mac(payload));
    }

    /** The link's user and topic, or empty when the token is not one this service signed. */
    public Optional<Unsubscribe> verify(String token) {
        if (key == null || token == null || token.length() > 512) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) {
            return Optional.empty();
        }
        String payload = token.substring(0, dot);
        try {
            if (!MessageDigest.isEqual(mac(payload), DECODER.decode(token.substring(dot + 1)))) {
                return Optional.empty();
            }
            String decoded = new String(DECODER.decode(payload), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return Optional.of(new Unsubscribe(decoded.substring(colon + 1), Topic.valueOf(decoded.substring(0, colon))));
        } catch (IllegalArgumentException | StringIndexOutOfBoundsException e) {
            return Optional.empty();
        }
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
