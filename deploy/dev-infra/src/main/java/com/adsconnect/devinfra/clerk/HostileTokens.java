package com.adsconnect.devinfra.clerk;

import com.nimbusds.jose.JOSEException;
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
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Session tokens an attacker or a broken client could present, each named by what is wrong with
 * it. Every one must be refused by every service that verifies Clerk tokens; the suites of the
 * gateway, account-service and the attack run share this catalogue so none of them misses a case.
 */
public final class HostileTokens {

    private final SandboxClerk clerk;
    private final RSAKey foreignKey;

    public HostileTokens(SandboxClerk clerk) {
        this.clerk = clerk;
        try {
            this.foreignKey = new RSAKeyGenerator(2048).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A well-formed token signed by a key Clerk never published, under a fresh random key id. */
    public String withUnknownKeyId(String userId) {
        return signedByForeignKey(claims(userId).build(), "ins_" + UUID.randomUUID());
    }

    /** Hostile tokens for a user, by name; the value is what goes after {@code Bearer }. */
    public Map<String, String> forUser(String userId) {
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("signed by another key with the real kid", signedByForeignKey(claims(userId).build()));
        tokens.put("alg none", unsigned(claims(userId).build()));
        tokens.put("HS256 keyed with the public key", hs256WithPublicKey(claims(userId).build()));
        tokens.put("wrong issuer", clerk.sign(claims(userId).issuer("https://evil.clerk.accounts.dev").build()));
        tokens.put("wrong azp", clerk.sign(claims(userId).claim("azp", "https://evil.example").build()));
        Instant past = Instant.now().minusSeconds(120);
        tokens.put("expired", clerk.sign(claims(userId).issueTime(Date.from(past.minusSeconds(60)))
                .notBeforeTime(Date.from(past.minusSeconds(60))).expirationTime(Date.from(past)).build()));
        tokens.put("nbf in the future", clerk.sign(claims(userId).notBeforeTime(Date.from(Instant.now().plusSeconds(120))).build()));
        tokens.put("no sub", clerk.sign(claims(userId).subject(null).build()));
        tokens.put("no exp", clerk.sign(claims(userId).expirationTime(null).build()));
        tokens.put("tampered payload", tamperedSubject(clerk.sessionToken(userId), "user_admin"));
        tokens.put("unknown kid", withUnknownKeyId(userId));
        tokens.put("garbage", "not-a-jwt");
        tokens.put("three garbage parts", "a.b.c");
        tokens.put("header only", "eyJhbGciOiJSUzI1NiJ9..");
        return tokens;
    }

    private JWTClaimsSet.Builder claims(String userId) {
        return clerk.claimsFor(userId, Map.of("email", userId + "@example.com"), Duration.ofMinutes(5));
    }

    private String signedByForeignKey(JWTClaimsSet claims) {
        return signedByForeignKey(claims, clerk.currentKeyId());
    }

    private String signedByForeignKey(JWTClaimsSet claims, String keyId) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId)
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(foreignKey));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String unsigned(JWTClaimsSet claims) {
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)).toString();
        String payload = Base64URL.encode(claims.toString().getBytes(StandardCharsets.UTF_8)).toString();
        return header + "." + payload + ".";
    }

    /** The algorithm-confusion attack: HMAC keyed with the published RSA public key. */
    private String hs256WithPublicKey(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(clerk.currentKeyId()).build(), claims);
            jwt.sign(new MACSigner(clerk.publicKeyPem().getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A genuine token whose payload was edited after signing. */
    private static String tamperedSubject(String token, String newSubject) {
        String[] parts = token.split("\\.");
        String payload = new String(Base64URL.from(parts[1]).decode(), StandardCharsets.UTF_8)
                .replaceFirst("\"sub\":\"[^\"]*\"", "\"sub\":\"" + newSubject + "\"");
        return parts[0] + "." + Base64URL.encode(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }
}
