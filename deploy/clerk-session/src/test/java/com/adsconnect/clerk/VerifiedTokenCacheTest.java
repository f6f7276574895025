package com.adsconnect.clerk;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.devinfra.clerk.SandboxClerk;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The verified-token cache in front of the real decoder (RS256 and claim checks, the JWKS from the
 * sandbox Clerk): what it serves without a signature check, and when it stops.
 */
class VerifiedTokenCacheTest {

    /** A clock the test moves; the decoder's validators, the JWKS cache and the token cache all read it. */
    private static final class MovableClock extends Clock {

        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

        void set(Instant instant) {
            now.set(instant);
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private SandboxClerk clerk;
    private final MovableClock clock = new MovableClock();
    /** Full checks: how often the real decoder ran. */
    private final AtomicInteger fullChecks = new AtomicInteger();

    @BeforeEach
    void startClerk() {
        clerk = SandboxClerk.start(Duration.ofMinutes(5));
    }

    @AfterEach
    void stopClerk() {
        clerk.close();
    }

    private VerifiedTokenCache cache(Duration jwksTtl, int maxEntries) {
        ClerkProperties properties = new ClerkProperties(clerk.issuer(), null, null, List.of(SandboxClerk.DEFAULT_AUTHORIZED_PARTY),
                Duration.ofSeconds(5), jwksTtl, Duration.ofSeconds(30), Duration.ofSeconds(2), maxEntries);
        // the signature and claim checks counted, behind the cache
        return (VerifiedTokenCache) ClerkJwtDecoders.create(properties, WebClient.builder(), clock, real -> token -> Mono.defer(() -> {
            fullChecks.incrementAndGet();
            return real.decode(token);
        }));
    }

    @Test
    void aCachedTokenIsServedUntilTheSecondBeforeItsExpiryAndNeverAtIt() {
        String token = tokenFor("user_expiry", Duration.ofSeconds(60));
        Instant expiresAt = expiryOf(token);
        VerifiedTokenCache cache = cache(Duration.ofHours(1), 100);

        StepVerifier.create(cache.decode(token)).assertNext(jwt -> assertThat(jwt.getSubject()).isEqualTo("user_expiry")).verifyComplete();
        assertThat(fullChecks).hasValue(1);
        clock.set(expiresAt.minusSeconds(1));
        StepVerifier.create(cache.decode(token)).expectNextCount(1).verifyComplete();
        assertThat(fullChecks).as("served from the cache one second before exp").hasValue(1);

        clock.set(expiresAt);
        // the full check runs again (and grants its clock skew); the cache does not serve it
        StepVerifier.create(cache.decode(token)).expectNextCount(1).verifyComplete();
        assertThat(fullChecks).as("at exp the token is checked in full").hasValue(2);
        clock.set(expiresAt.plusSeconds(6));
        StepVerifier.create(cache.decode(token))
                .expectErrorSatisfies(error -> assertThat(TokenRejection.of(token, error)).isEqualTo(TokenRejection.EXPIRED))
                .verify(Duration.ofSeconds(10));
        assertThat(fullChecks).hasValue(3);
    }

    @Test
    void aKeyRemovedFromTheJwksStopsItsCachedTokensOnceTheKeysAreOlderThanTheirTtl() {
        Duration ttl = Duration.ofMinutes(5);
        String token = tokenFor("user_rotated", Duration.ofHours(1));
        VerifiedTokenCache cache = cache(ttl, 100);
        StepVerifier.create(cache.decode(token)).expectNextCount(1).verifyComplete();

        // Clerk rotates its key and stops publishing the old one
        clerk.rotateKey(true);
        clock.set(clock.instant().plus(ttl).minusSeconds(1));
        StepVerifier.create(cache.decode(token)).expectNextCount(1).verifyComplete();
        assertThat(fullChecks).as("within the JWKS TTL the cached token is served").hasValue(1);

        clock.set(clock.instant().plusSeconds(2));
        StepVerifier.create(cache.decode(token))
                .expectErrorSatisfies(error -> assertThat(TokenRejection.of(token, error)).isEqualTo(TokenRejection.BAD_SIGNATURE))
                .verify(Duration.ofSeconds(10));
        assertThat(fullChecks).as("past the TTL it is checked in full, against the refetched keys").hasValue(2);
        StepVerifier.create(cache.decode(token)).expectError().verify(Duration.ofSeconds(10));
        // a token of the new key is served
        StepVerifier.create(cache.decode(tokenFor("user_rotated", Duration.ofHours(1)))).expectNextCount(1).verifyComplete();
    }

    @Test
    void aTokenThatDiffersInAnyByteFromACachedOneIsCheckedInFullAndRefused() {
        String token = tokenFor("user_tamper", Duration.ofHours(1));
        VerifiedTokenCache cache = cache(Duration.ofHours(1), 100);
        StepVerifier.create(cache.decode(token)).expectNextCount(1).verifyComplete();

        String[] parts = token.split("\\.");
        String otherUser = new String(Base64.getUrlDecoder().decode(parts[1])).replace("user_tamper", "user_admin");
        String tampered = parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(otherUser.getBytes()) + "." + parts[2];
        StepVerifier.create(cache.decode(tampered))
                .expectErrorSatisfies(error -> assertThat(TokenRejection.of(tampered, error)).isEqualTo(TokenRejection.BAD_SIGNATURE))
                .verify(Duration.ofSeconds(10));
        String truncatedSignature = token.substring(0, token.length() - 2);
        StepVerifier.create(cache.decode(truncatedSignature)).expectError().verify(Duration.ofSeconds(10));
        assertThat(fullChecks).as("each altered token checked in full").hasValue(3);
        assertThat(cache.size()).as("refused tokens are not kept").isEqualTo(1);
    }

    @Test
    void aFloodOfDistinctValidTokensKeepsNoMoreThanTheBound() {
        VerifiedTokenCache cache = cache(Duration.ofHours(1), 200);
        List<String> tokens = IntStream.range(0, 2_000).parallel().mapToObj(i -> tokenFor("user_flood_" + i, Duration.ofHours(1))).toList();
        long heapBefore = usedHeapAfterGc();

        for (String token : tokens) {
            StepVerifier.create(cache.decode(token)).expectNextCount(1).verifyComplete();
        }

        assertThat(cache.size()).isLessThanOrEqualTo(200);
        // 200 entries of a verified token (its text, claims and headers) are a few hundred KB, not 2,000's
        assertThat(usedHeapAfterGc() - heapBefore).as("heap held after the flood").isLessThan(4L * 1024 * 1024);
    }

    private static long usedHeapAfterGc() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private String tokenFor(String userId, Duration lifetime) {
        return clerk.sign(clerk.claimsFor(userId, Map.of(), lifetime)
                .issueTime(java.util.Date.from(clock.instant()))
                .notBeforeTime(java.util.Date.from(clock.instant().minusSeconds(10)))
                .expirationTime(java.util.Date.from(clock.instant().plus(lifetime)))
                .build());
    }

    private static Instant expiryOf(String token) {
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
        long exp = Long.parseLong(payload.replaceAll(".*\"exp\":(\\d+).*", "$1"));
        return Instant.ofEpochSecond(exp);
    }
}
