package com.adsconnect.clerk;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How Clerk session tokens are verified, the same in every service that sees them. Env forms
 * follow relaxed binding: {@code CLERK_ISSUER}, {@code CLERK_JWKS_URL}, {@code CLERK_JWT_KEY},
 * {@code CLERK_AUTHORIZED_PARTIES} (comma separated), {@code CLERK_CLOCK_SKEW}.
 *
 * @param issuer                 the instance's Frontend API URL, the tokens' {@code iss}
 * @param jwksUrl                where the signing keys are published; defaults to {@code {issuer}/.well-known/jwks.json}
 * @param jwtKey                 the instance's PEM public key; when set, tokens are verified without any network call
 * @param authorizedParties      origins allowed in {@code azp}; an empty list accepts any
 * @param clockSkew              tolerance for {@code exp} and {@code nbf}
 * @param jwksCacheTtl           how long fetched signing keys are used before they are fetched again
 * @param jwksRefreshMinInterval a token with an unknown {@code kid} refetches the keys at most this often
 * @param jwksTimeout            the longest a JWKS fetch may take, connection included
 * @param verifiedTokenCacheSize how many verified tokens are kept so repeat requests skip the
 *                               signature check ({@link VerifiedTokenCache}); 0 turns it off
 */
@Validated
@ConfigurationProperties("clerk")
public record ClerkProperties(
        @NotBlank String issuer,
        URI jwksUrl,
        String jwtKey,
        @NotNull @DefaultValue List<String> authorizedParties,
        @NotNull @DefaultValue("5s") Duration clockSkew,
        @NotNull @DefaultValue("5m") Duration jwksCacheTtl,
        @NotNull @DefaultValue("30s") Duration jwksRefreshMinInterval,
        @NotNull @DefaultValue("3s") Duration jwksTimeout,
        @PositiveOrZero @DefaultValue("10000") int verifiedTokenCacheSize) {

    public URI effectiveJwksUrl() {
        if (jwksUrl != null) {
            return jwksUrl;
        }
        String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        return URI.create(base + "/.well-known/jwks.json");
    }

    public boolean hasPemKey() {
        return jwtKey != null && !jwtKey.isBlank();
    }
}
