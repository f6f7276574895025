package com.adsconnect.devinfra.clerk;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SandboxClerkTest {

    private static SandboxClerk clerk;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        clerk = SandboxClerk.start(Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() {
        clerk.close();
    }

    @Test
    void devTokenEndpointIssuesATokenThatVerifiesAgainstThePublishedJwks() throws Exception {
        Map<String, Object> body = getJson("/sandbox/dev-token?user_id=user_42&email=a%40example.com", 200);

        JWTClaimsSet claims = verify((String) body.get("jwt"));

        assertThat(claims.getSubject()).isEqualTo("user_42");
        assertThat(claims.getIssuer()).isEqualTo(clerk.issuer());
        assertThat(claims.getStringClaim("azp")).isEqualTo(SandboxClerk.DEFAULT_AUTHORIZED_PARTY);
        assertThat(claims.getStringClaim("sid")).startsWith("sess_");
        assertThat(claims.getStringClaim("email")).isEqualTo("a@example.com");
        assertThat(claims.getNotBeforeTime()).isBefore(claims.getIssueTime());
    }

    @Test
    void backendApiSessionThenTokenFollowsClerksFormat() throws Exception {
        Map<String, Object> session = postJson("/v1/sessions", "{\"user_id\":\"user_7\"}", 200);
        assertThat(session).containsEntry("object", "session").containsEntry("user_id", "user_7");

        Map<String, Object> token = postJson("/v1/sessions/" + session.get("id") + "/tokens", "", 200);

        assertThat(token).containsEntry("object", "token");
        JWTClaimsSet claims = verify((String) token.get("jwt"));
        assertThat(claims.getSubject()).isEqualTo("user_7");
        assertThat(claims.getStringClaim("sid")).isEqualTo(session.get("id"));
    }

    @Test
    void rejectsUnsafeUserIdsAndUnknownSessions() throws Exception {
        getJson("/sandbox/dev-token?user_id=%3Cscript%3E", 422);
        getJson("/sandbox/dev-token", 422);
        postJson("/v1/sessions/sess_unknown/tokens", "", 404);
    }

    @Test
    void rotationKeepsOldKeysPublishedSoEarlierTokensStillVerify() throws Exception {
        String before = clerk.sessionToken("user_rot");
        String oldKid = clerk.currentKeyId();

        clerk.rotateKey(false);

        assertThat(clerk.currentKeyId()).isNotEqualTo(oldKid);
        assertThat(verify(before).getSubject()).isEqualTo("user_rot");
        assertThat(verify(clerk.sessionToken("user_rot")).getSubject()).isEqualTo("user_rot");
    }

    private JWTClaimsSet verify(String jwt) throws Exception {
        String jwks = http.send(HttpRequest.newBuilder(URI.create(clerk.jwksUrl())).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256,
                new ImmutableJWKSet<>(JWKSet.parse(jwks))));
        return processor.process(jwt, null);
    }

    private Map<String, Object> getJson(String path, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(clerk.issuer() + path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(expectedStatus);
        return JSONObjectUtils.parse(response.body());
    }

    private Map<String, Object> postJson(String path, String body, int expectedStatus) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(clerk.issuer() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(expectedStatus);
        return JSONObjectUtils.parse(response.body());
    }
}
