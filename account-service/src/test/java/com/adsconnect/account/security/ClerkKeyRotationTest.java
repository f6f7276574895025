package com.adsconnect.account.security;

import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.testsupport.Infrastructure;
import com.adsconnect.testsupport.RealInfrastructure;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"clerk.jwks-refresh-min-interval=2s", "token-vault.keyset-file=" + AccountServiceTest.TEST_KEYSET})
@AutoConfigureWebTestClient
@RealInfrastructure({Infrastructure.POSTGRES, Infrastructure.KAFKA, Infrastructure.CLERK, Infrastructure.AMAZON})
class ClerkKeyRotationTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Test
    void aFloodOfUnknownKeyIdsCausesAtMostOneRefetchPerInterval() throws Exception {
        SandboxClerk clerk = infrastructure.clerk();
        Api api = new Api(web, clerk);
        api.as("user_flood_warmup").get().uri("/api/v1/me").exchange().expectStatus().isOk();
        int before = jwksRequests(clerk);
        RSAKey attackerKey = new RSAKeyGenerator(2048).generate();

        long started = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            RSAKey withRandomKid = new RSAKey.Builder(attackerKey).keyID("ins_" + UUID.randomUUID()).build();
            api.withToken(sign(withRandomKid, clerk, "user_flood")).get().uri("/api/v1/me").exchange()
                    .expectStatus().isUnauthorized();
        }
        long intervals = Duration.ofNanos(System.nanoTime() - started).toMillis() / 2_000;

        // one refetch per started 2 s interval at most, however many unknown kids arrive
        assertThat(jwksRequests(clerk) - before).isLessThanOrEqualTo((int) intervals + 1);
    }

    @Test
    void aRotatedKeyIsPickedUpWithoutARestart() throws Exception {
        SandboxClerk clerk = infrastructure.clerk();
        Api api = new Api(web, clerk);
        api.as("user_rotation_before").get().uri("/api/v1/me").exchange().expectStatus().isOk();

        Thread.sleep(2_100); // past the minimum refresh interval
        clerk.rotateKey(false);

        api.as("user_rotation_after").get().uri("/api/v1/me").exchange().expectStatus().isOk();
    }

    private static int jwksRequests(SandboxClerk clerk) {
        return clerk.wireMock().countRequestsMatching(
                getRequestedFor(urlPathEqualTo("/.well-known/jwks.json")).build()).getCount();
    }

    private static String sign(RSAKey key, SandboxClerk clerk, String userId) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                clerk.claimsFor(userId, Map.of(), Duration.ofMinutes(1)).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
