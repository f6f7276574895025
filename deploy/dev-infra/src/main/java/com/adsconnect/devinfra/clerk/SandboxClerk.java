package com.adsconnect.devinfra.clerk;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for a Clerk instance that speaks Clerk's wire formats: RS256 session tokens with
 * Clerk's claims ({@code iss}, {@code sub}, {@code sid}, {@code azp}, {@code iat}, {@code nbf},
 * {@code exp}, {@code v}), a JWKS document at {@code /.well-known/jwks.json}, and the Backend API
 * calls that create a session and mint a token for it. It runs on WireMock, so tests can add
 * faults (latency, 5xx, malformed JWKS) with the ordinary WireMock API.
 *
 * <p>HTTP endpoints:
 * <ul>
 *   <li>{@code GET /.well-known/jwks.json}: the public keys</li>
 *   <li>{@code POST /v1/sessions} {@code {"user_id": "..."}}: creates a session</li>
 *   <li>{@code POST /v1/sessions/{id}/tokens}: {@code {"object":"token","jwt":"..."}}</li>
 *   <li>{@code GET /sandbox/dev-token?user_id=...[&email=...&first_name=...&last_name=...&ttl_seconds=...]}:
 *       sandbox only, one call for a token</li>
 * </ul>
 */
public final class SandboxClerk implements AutoCloseable {

    /** The front-end origin that sandbox tokens name as their authorized party. */
    public static final String DEFAULT_AUTHORIZED_PARTY = "http://localhost:3000";

    private final WireMockServer server;
    private final List<RSAKey> publishedKeys = new CopyOnWriteArrayList<>();
    private final SandboxSessions sessions = new SandboxSessions();
    private final Duration defaultTokenLifetime;
    private volatile RSAKey signingKey;
    private StubMapping jwksStub;

    private SandboxClerk(int port, Duration defaultTokenLifetime) {
        this.defaultTokenLifetime = defaultTokenLifetime;
        this.signingKey = newKey();
        this.publishedKeys.add(signingKey);
        this.server = new WireMockServer(options()
                .bindAddress("127.0.0.1")
                .port(port)
                .containerThreads(16)
                .extensions(new SandboxClerkTokenEndpoint(this, sessions)));
    }

    /** Starts a sandbox Clerk on a free port; tokens live {@code defaultTokenLifetime} unless asked otherwise. */
    public static SandboxClerk start(Duration defaultTokenLifetime) {
        return start(0, defaultTokenLifetime);
    }

    public static SandboxClerk start(int port, Duration defaultTokenLifetime) {
        SandboxClerk clerk = new SandboxClerk(port, defaultTokenLifetime);
        clerk.server.start();
        clerk.publishJwks();
        clerk.server.stubFor(any(urlPathMatching("/v1/sessions(/[^/]+/tokens)?|/sandbox/dev-token"))
                .atPriority(10)
                .willReturn(aResponse().withTransformers(SandboxClerkTokenEndpoint.NAME)));
        return clerk;
    }

    /** The token issuer, as Clerk's Frontend API URL would be. */
    public String issuer() {
        return "http://127.0.0.1:" + server.port();
    }

    public String jwksUrl() {
        return issuer() + "/.well-known/jwks.json";
    }

    public int port() {
        return server.port();
    }

    /** The WireMock server behind the sandbox, for fault injection in tests. */
    public WireMockServer wireMock() {
        return server;
    }

    /** The current signing key's public half as PEM, the form of Clerk's {@code CLERK_JWT_KEY}. */
    public String publicKeyPem() {
        try {
            RSAPublicKey key = signingKey.toRSAPublicKey();
            String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded());
            return "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----\n";
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public String currentKeyId() {
        return signingKey.getKeyID();
    }

    /** A valid session token for the user, as the front end would hold it. */
    public String sessionToken(String userId) {
        return sign(claimsFor(userId, Map.of(), defaultTokenLifetime).build());
    }

    /** A valid session token with extra claims (for example {@code email}) added. */
    public String sessionToken(String userId, Map<String, Object> extraClaims) {
        return sign(claimsFor(userId, extraClaims, defaultTokenLifetime).build());
    }

    /**
     * Claims as Clerk would issue them for a new session of the user, to be altered by tests that
     * need an expired, early, foreign or otherwise hostile token, then passed to {@link #sign}.
     */
    public JWTClaimsSet.Builder claimsFor(String userId, Map<String, Object> extraClaims, Duration lifetime) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer())
                .subject(userId)
                .issueTime(Date.from(now))
                // Clerk back-dates nbf a little so that small clock differences do not reject fresh tokens
                .notBeforeTime(Date.from(now.minusSeconds(10)))
                .expirationTime(Date.from(now.plus(lifetime)))
                .claim("azp", DEFAULT_AUTHORIZED_PARTY)
                .claim("sid", "sess_" + UUID.randomUUID().toString().replace("-", ""))
                .claim("v", 2)
                .claim("fva", List.of(0, -1));
        extraClaims.forEach(claims::claim);
        return claims;
    }

    /** Signs claims with the current key, RS256, with Clerk's header ({@code kid}, {@code typ}). */
    public String sign(JWTClaimsSet claims) {
        RSAKey key = signingKey;
        try {
            SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                    claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign sandbox token", e);
        }
    }

    /**
     * Rotates the signing key as Clerk does: the new key signs from now on and is published next
     * to the old one, which stays in the JWKS unless {@code dropOld}.
     */
    public synchronized void rotateKey(boolean dropOld) {
        RSAKey next = newKey();
        if (dropOld) {
            publishedKeys.clear();
        }
        publishedKeys.add(next);
        signingKey = next;
        publishJwks();
    }

    Duration defaultTokenLifetime() {
        return defaultTokenLifetime;
    }

    private synchronized void publishJwks() {
        List<RSAKey> publicKeys = new ArrayList<>();
        publishedKeys.forEach(k -> publicKeys.add(k.toPublicJWK()));
        String body = new JWKSet(new ArrayList<>(publicKeys)).toString(true);
        if (jwksStub != null) {
            server.removeStub(jwksStub);
        }
        jwksStub = server.stubFor(get(urlPathEqualTo("/.well-known/jwks.json"))
                .atPriority(10)
                .willReturn(aResponse()
                        .withHeader("Content-Type", "application/json")
                        .withHeader("Cache-Control", "public, max-age=300")
                        .withBody(body)));
    }

    private static RSAKey newKey() {
        try {
            return new RSAKeyGenerator(2048)
                    .keyID("ins_" + UUID.randomUUID().toString().replace("-", "").substring(0, 24))
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot generate RSA key", e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
