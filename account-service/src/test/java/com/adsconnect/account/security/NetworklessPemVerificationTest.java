package com.adsconnect.account.security;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.testsupport.Infrastructure;
import com.adsconnect.testsupport.RealInfrastructure;
import com.adsconnect.testsupport.TestInfrastructure;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * With {@code clerk.jwt-key} set, tokens verify against the PEM key alone: the JWKS URL points at
 * a port nobody listens on, and a valid token is still accepted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "token-vault.keyset-file=" + AccountServiceTest.TEST_KEYSET)
@AutoConfigureWebTestClient
@RealInfrastructure({Infrastructure.POSTGRES, Infrastructure.KAFKA, Infrastructure.CLERK, Infrastructure.AMAZON})
class NetworklessPemVerificationTest {

    @DynamicPropertySource
    static void pemKey(DynamicPropertyRegistry registry) {
        SandboxClerk clerk = TestInfrastructure.clerk();
        registry.add("clerk.jwt-key", clerk::publicKeyPem);
        registry.add("clerk.jwks-url", () -> "http://127.0.0.1:9/.well-known/jwks.json");
    }

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @Test
    void acceptsAValidTokenWithoutFetchingKeys() {
        new Api(web, infrastructure.clerk()).as("user_pem").get().uri("/api/v1/me").exchange().expectStatus().isOk();
    }

    @Test
    void refusesATokenOfAnotherKey() throws Exception {
        var foreign = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).keyID("ins_other").generate();
        var jwt = new com.nimbusds.jwt.SignedJWT(
                new com.nimbusds.jose.JWSHeader.Builder(com.nimbusds.jose.JWSAlgorithm.RS256).keyID("ins_other").build(),
                infrastructure.clerk().claimsFor("user_pem2", java.util.Map.of(), java.time.Duration.ofMinutes(1)).build());
        jwt.sign(new com.nimbusds.jose.crypto.RSASSASigner(foreign));
        new Api(web, infrastructure.clerk()).withToken(jwt.serialize()).get().uri("/api/v1/me").exchange()
                .expectStatus().isUnauthorized();
    }
}
