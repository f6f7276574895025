package com.adsconnect.clerk;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.devinfra.clerk.HostileTokens;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/** The shared decoder against the sandbox Clerk (WireMock): what it accepts, and why it refuses. */
class ClerkJwtDecodersTest {

    private static SandboxClerk clerk;

    @BeforeAll
    static void startClerk() {
        clerk = SandboxClerk.start(Duration.ofMinutes(5));
    }

    @AfterAll
    static void stopClerk() {
        clerk.close();
    }

    private static ClerkProperties properties(String jwtKey, Duration minRefreshInterval) {
        return new ClerkProperties(clerk.issuer(), null, jwtKey, List.of(SandboxClerk.DEFAULT_AUTHORIZED_PARTY),
                Duration.ofSeconds(5), Duration.ofMinutes(5), minRefreshInterval, Duration.ofSeconds(2), 10_000);
    }

    private static ReactiveJwtDecoder decoder(ClerkProperties properties) {
        return ClerkJwtDecoders.create(properties, WebClient.builder(), Clock.systemUTC());
    }

    @Test
    void acceptsAGenuineSessionTokenAndExposesItsSubject() {
        StepVerifier.create(decoder(properties(null, Duration.ofSeconds(30))).decode(clerk.sessionToken("user_ok")))
                .assertNext(jwt -> assertThat(jwt.getSubject()).isEqualTo("user_ok"))
                .verifyComplete();
    }

    @TestFactory
    Stream<DynamicTest> refusesEveryHostileTokenWithItsReason() {
        Map<String, TokenRejection> expected = Map.ofEntries(
                Map.entry("signed by another key with the real kid", TokenRejection.BAD_SIGNATURE),
                Map.entry("alg none", TokenRejection.UNSUPPORTED_ALGORITHM),
                Map.entry("HS256 keyed with the public key", TokenRejection.UNSUPPORTED_ALGORITHM),
                Map.entry("wrong issuer", TokenRejection.WRONG_ISSUER),
                Map.entry("wrong azp", TokenRejection.UNAUTHORIZED_PARTY),
                Map.entry("expired", TokenRejection.EXPIRED),
                Map.entry("nbf in the future", TokenRejection.NOT_YET_VALID),
                Map.entry("no sub", TokenRejection.MISSING_SUBJECT),
                Map.entry("no exp", TokenRejection.MISSING_EXPIRY),
                Map.entry("tampered payload", TokenRejection.BAD_SIGNATURE),
                Map.entry("unknown kid", TokenRejection.BAD_SIGNATURE),
                Map.entry("garbage", TokenRejection.MALFORMED),
                Map.entry("three garbage parts", TokenRejection.MALFORMED),
                Map.entry("header only", TokenRejection.MALFORMED));
        ReactiveJwtDecoder decoder = decoder(properties(null, Duration.ofSeconds(30)));
        Map<String, String> hostile = new HostileTokens(clerk).forUser("user_hostile");
        assertThat(expected.keySet()).containsExactlyInAnyOrderElementsOf(hostile.keySet());
        return hostile.entrySet().stream().map(token -> DynamicTest.dynamicTest(token.getKey(), () ->
                StepVerifier.create(decoder.decode(token.getValue()))
                        .expectErrorSatisfies(error -> assertThat(TokenRejection.of(token.getValue(), error))
                                .isEqualTo(expected.get(token.getKey())))
                        .verify(Duration.ofSeconds(10))));
    }

    @Test
    void aPemKeyVerifiesWithoutAnyNetworkCall() {
        ClerkProperties pem = new ClerkProperties(clerk.issuer(), URI.create("http://127.0.0.1:9/jwks"), clerk.publicKeyPem(),
                List.of(), Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(2), 10_000);
        StepVerifier.create(decoder(pem).decode(clerk.sessionToken("user_pem")))
                .assertNext(jwt -> assertThat(jwt.getSubject()).isEqualTo("user_pem"))
                .verifyComplete();
    }

    @Test
    void aFloodOfUnknownKeyIdsFetchesTheKeysAtMostOncePerInterval() {
        ReactiveJwtDecoder decoder = decoder(properties(null, Duration.ofMinutes(10)));
        StepVerifier.create(decoder.decode(clerk.sessionToken("user_warm"))).expectNextCount(1).verifyComplete();
        int before = jwksRequests();
        HostileTokens hostile = new HostileTokens(clerk);
        List<String> forged = IntStream.range(0, 200).mapToObj(i -> hostile.withUnknownKeyId("user_flood")).toList();
        Flux<Object> flood = Flux.fromIterable(forged)
                .flatMap(token -> decoder.decode(token).cast(Object.class).onErrorResume(Mono::just), 32);
        StepVerifier.create(flood).expectNextCount(200).verifyComplete();
        assertThat(jwksRequests() - before).as("JWKS fetches caused by 200 unknown kids").isLessThanOrEqualTo(1);
    }

    @Test
    void unreachableKeysAreReportedAsSuch() {
        ClerkProperties nowhere = new ClerkProperties(clerk.issuer(), URI.create("http://127.0.0.1:9/jwks"), null,
                List.of(), Duration.ofSeconds(5), Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(2), 10_000);
        String token = clerk.sessionToken("user_nokeys");
        StepVerifier.create(decoder(nowhere).decode(token))
                .expectErrorSatisfies(error -> assertThat(TokenRejection.of(token, error)).isEqualTo(TokenRejection.KEYS_UNAVAILABLE))
                .verify(Duration.ofSeconds(10));
    }

    private static int jwksRequests() {
        return clerk.wireMock().countRequestsMatching(getRequestedFor(urlEqualTo("/.well-known/jwks.json")).build()).getCount();
    }
}
