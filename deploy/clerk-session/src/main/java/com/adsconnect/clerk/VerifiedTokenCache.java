package com.adsconnect.clerk;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Predicate;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import reactor.core.publisher.Mono;

/**
 * Session tokens verified before, so that a user's next requests skip the RS256 check and the
 * claim checks. Rules, the same in every service:
 * <ul>
 *   <li>the key is the SHA-256 of the whole token: a token that differs in any byte (another
 *       signature, a changed claim) is another key and is verified in full;</li>
 *   <li>an entry is used only before the token's {@code exp}, to the second, never past it (no
 *       clock skew is granted to cached tokens; the full check's skew applies only to a full check);</li>
 *   <li>an entry is used only while the key that signed it is in the current, fresh key set: once
 *       the cached JWKS is older than its TTL, the next request for the token is verified in full,
 *       which refetches the keys, so a key removed from the JWKS stops its tokens within that TTL;</li>
 *   <li>at most {@code maxEntries} entries (least recently used go first): a flood of distinct
 *       valid tokens costs a bounded amount of memory, and only tokens that passed a full check
 *       are ever stored. Refused tokens are never cached.</li>
 * </ul>
 */
final class VerifiedTokenCache implements ReactiveJwtDecoder {

    /** The SHA-256 of a token. */
    private record Digest(byte[] bytes) {

        /** Cloned per token: a provider lookup ({@code getInstance}) on every request cost more than the hash itself. */
        private static final MessageDigest SHA_256 = sha256();

        static Digest of(String token) {
            try {
                MessageDigest digest = (MessageDigest) SHA_256.clone();
                return new Digest(digest.digest(token.getBytes(StandardCharsets.US_ASCII)));
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("the JDK's SHA-256 can be cloned", e);
            }
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JVM has SHA-256", e);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Digest digest && Arrays.equals(bytes, digest.bytes);
        }

        @Override
        public int hashCode() {
            // the first four bytes of a SHA-256 are as good a hash as any
            return (bytes[0] << 24) | ((bytes[1] & 0xff) << 16) | ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        }

        @Override
        public String toString() {
            return "Digest";
        }
    }

    /** A verified token and the id of the key it was signed with (null where the key has none). */
    private record Verified(Jwt jwt, String keyId) {
    }

    private final ReactiveJwtDecoder delegate;
    private final Predicate<String> keyPublished;
    private final Clock clock;
    private final Cache<Digest, Verified> verified;

    /**
     * @param keyPublished whether the key of this id is in the current, fresh key set
     */
    VerifiedTokenCache(ReactiveJwtDecoder delegate, Predicate<String> keyPublished, int maxEntries, Clock clock) {
        this.delegate = delegate;
        this.keyPublished = keyPublished;
        this.clock = clock;
        this.verified = Caffeine.newBuilder()
                .maximumSize(maxEntries)
                // entries leave memory when their token expires; whether one may be used is decided in decode
                .expireAfter(Expiry.creating((Digest digest, Verified entry) -> remaining(entry.jwt())))
                // maintenance on the caller's thread: no hop to the common pool from an event loop
                .executor(Runnable::run)
                .build();
    }

    @Override
    public Mono<Jwt> decode(String token) {
        Digest digest = Digest.of(token);
        Verified hit = verified.getIfPresent(digest);
        if (hit != null) {
            if (usable(hit)) {
                return Mono.just(hit.jwt());
            }
            verified.invalidate(digest);
        }
        return delegate.decode(token).doOnNext(jwt -> {
            if (jwt.getExpiresAt() != null && clock.instant().isBefore(jwt.getExpiresAt())) {
                verified.put(digest, new Verified(jwt, (String) jwt.getHeaders().get("kid")));
            }
        });
    }

    private boolean usable(Verified entry) {
        return clock.instant().isBefore(entry.jwt().getExpiresAt()) && keyPublished.test(entry.keyId());
    }

    private Duration remaining(Jwt jwt) {
        Instant expiresAt = jwt.getExpiresAt();
        Duration left = expiresAt == null ? Duration.ZERO : Duration.between(clock.instant(), expiresAt);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** How many verified tokens are held now. */
    long size() {
        verified.cleanUp();
        return verified.estimatedSize();
    }
}
