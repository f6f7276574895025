package com.adsconnect.account.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.devinfra.clerk.HostileTokens;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import com.nimbusds.jwt.JWTClaimsSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Every hostile or broken session token is refused with a 401 problem detail and changes nothing:
 * not even the just-in-time provisioning of the user it names.
 */
@AccountServiceTest
class ClerkTokenVerificationTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    SandboxClerk clerk;
    Api api;
    Db db;

    @BeforeEach
    void setUp() {
        clerk = infrastructure.clerk();
        api = new Api(web, clerk);
        db = new Db(infrastructure);
    }

    @Test
    void aValidTokenIsAccepted() {
        api.as("user_valid").get().uri("/api/v1/me").exchange().expectStatus().isOk();
    }

    @TestFactory
    Stream<DynamicTest> everyHostileTokenIsRefused() {
        return new HostileTokens(clerk).forUser("user_hostile").entrySet().stream()
                .map(hostile -> DynamicTest.dynamicTest(hostile.getKey(), () -> assertRefused(hostile.getValue())));
    }

    @Test
    void aTokenJustExpiredWithinTheClockSkewIsAccepted() {
        Instant justNow = Instant.now().minusSeconds(2);
        String token = clerk.sign(claims("user_skew").issueTime(Date.from(justNow.minusSeconds(60)))
                .notBeforeTime(Date.from(justNow.minusSeconds(70))).expirationTime(Date.from(justNow)).build());
        api.withToken(token).get().uri("/api/v1/me").exchange().expectStatus().isOk();
    }

    @Test
    void anEmptyBearerIsRefused() {
        String before = db.snapshot();
        web.get().uri("/api/v1/me").header("Authorization", "Bearer ").exchange().expectStatus().isUnauthorized();
        assertThat(db.snapshot()).isEqualTo(before);
    }

    private JWTClaimsSet.Builder claims(String userId) {
        return clerk.claimsFor(userId, Map.of("email", userId + "@example.com"), Duration.ofMinutes(5));
    }

    private void assertRefused(String token) {
        String before = db.snapshot();
        for (String path : new String[] {"/api/v1/me", "/api/v1/me/preferences", "/api/v1/me/audit-events"}) {
            api.withToken(token).get().uri(path).exchange()
                    .expectStatus().isUnauthorized()
                    .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                    .expectHeader().valueEquals("WWW-Authenticate", "Bearer")
                    .expectBody()
                    .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/unauthorized")
                    .jsonPath("$.detail").isEqualTo("A valid Clerk session token is required.");
        }
        api.withToken(token).patch().uri("/api/v1/me").contentType(MediaType.APPLICATION_JSON)
                .bodyValue("{\"displayName\":\"x\"}").exchange().expectStatus().isUnauthorized();
        api.withToken(token).delete().uri("/api/v1/me").exchange().expectStatus().isUnauthorized();
        assertThat(db.snapshot()).as("a refused token must change nothing").isEqualTo(before);
    }
}
