package com.adsconnect.account.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
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

    @Test
    void aTokenSignedByAnotherKeyWithTheSameKidIsRefused() throws Exception {
        RSAKey foreign = new RSAKeyGenerator(2048).keyID(clerk.currentKeyId()).generate();
        assertRefused(signWith(foreign, claims("user_foreign").build()));
    }

    @Test
    void anUnsignedTokenWithAlgNoneIsRefused() {
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)).toString();
        String payload = Base64URL.encode(claims("user_none").build().toString().getBytes(StandardCharsets.UTF_8)).toString();
        assertRefused(header + "." + payload + ".");
    }

    @Test
    void anHs256TokenKeyedWithThePublicKeyIsRefused() throws Exception {
        // the classic algorithm-confusion attack: HMAC keyed with the published RSA public key
        byte[] publicKey = clerk.publicKeyPem().getBytes(StandardCharsets.UTF_8);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(clerk.currentKeyId()).build(),
                claims("user_hs256").build());
        jwt.sign(new MACSigner(publicKey));
        assertRefused(jwt.serialize());
    }

    @Test
    void aTokenFromAnotherIssuerIsRefused() {
        assertRefused(clerk.sign(claims("user_iss").issuer("https://evil.clerk.accounts.dev").build()));
    }

    @Test
    void aTokenForAnotherFrontEndIsRefused() {
        assertRefused(clerk.sign(claims("user_azp").claim("azp", "https://evil.example").build()));
    }

    @Test
    void anExpiredTokenIsRefused() {
        Instant past = Instant.now().minusSeconds(60);
        assertRefused(clerk.sign(claims("user_exp").issueTime(Date.from(past.minusSeconds(60)))
                .notBeforeTime(Date.from(past.minusSeconds(60))).expirationTime(Date.from(past)).build()));
    }

    @Test
    void aTokenNotYetValidIsRefused() {
        Instant future = Instant.now().plusSeconds(60);
        assertRefused(clerk.sign(claims("user_nbf").notBeforeTime(Date.from(future)).build()));
    }

    @Test
    void aTokenWithoutSubjectIsRefused() {
        assertRefused(clerk.sign(claims("user_nosub").subject(null).build()));
    }

    @Test
    void aTokenWithoutExpiryIsRefused() {
        assertRefused(clerk.sign(claims("user_noexp").expirationTime(null).build()));
    }

    @Test
    void aTokenJustExpiredWithinTheClockSkewIsAccepted() {
        Instant justNow = Instant.now().minusSeconds(2);
        String token = clerk.sign(claims("user_skew").issueTime(Date.from(justNow.minusSeconds(60)))
                .notBeforeTime(Date.from(justNow.minusSeconds(70))).expirationTime(Date.from(justNow)).build());
        api.withToken(token).get().uri("/api/v1/me").exchange().expectStatus().isOk();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-jwt", "a.b.c", "eyJhbGciOiJSUzI1NiJ9..", ""})
    void garbageIsRefused(String token) {
        String before = db.snapshot();
        web.get().uri("/api/v1/me").header("Authorization", "Bearer " + token).exchange()
                .expectStatus().isUnauthorized();
        assertThat(db.snapshot()).isEqualTo(before);
    }

    private JWTClaimsSet.Builder claims(String userId) {
        return clerk.claimsFor(userId, Map.of("email", userId + "@example.com"), Duration.ofMinutes(5));
    }

    private static String signWith(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                .type(JOSEObjectType.JWT).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
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
