package com.adsconnect.account.security;

import java.util.List;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtIssuerValidator;
import org.springframework.security.oauth2.jwt.JwtTimestampValidator;

/** The claim checks a Clerk session token must pass beyond its RS256 signature. */
final class ClerkTokenValidators {

    private ClerkTokenValidators() {
    }

    static OAuth2TokenValidator<Jwt> forProperties(ClerkProperties clerk) {
        return new DelegatingOAuth2TokenValidator<>(List.of(
                new JwtTimestampValidator(clerk.clockSkew()),
                expiryRequired(),
                new JwtIssuerValidator(clerk.issuer()),
                subjectRequired(),
                authorizedParty(clerk.authorizedParties())));
    }

    /** {@code exp} must be present: a session token without an end is not a Clerk token. */
    private static OAuth2TokenValidator<Jwt> expiryRequired() {
        return jwt -> jwt.getExpiresAt() == null
                ? failure("exp is required")
                : OAuth2TokenValidatorResult.success();
    }

    private static OAuth2TokenValidator<Jwt> subjectRequired() {
        return jwt -> jwt.getSubject() == null || jwt.getSubject().isBlank()
                ? failure("sub is required")
                : OAuth2TokenValidatorResult.success();
    }

    /** Clerk puts the requesting origin in {@code azp}; when present it must be one we serve. */
    private static OAuth2TokenValidator<Jwt> authorizedParty(List<String> authorizedParties) {
        return jwt -> {
            String azp = jwt.getClaimAsString("azp");
            if (azp == null || authorizedParties.isEmpty() || authorizedParties.contains(azp)) {
                return OAuth2TokenValidatorResult.success();
            }
            return failure("azp is not an authorized party");
        };
    }

    private static OAuth2TokenValidatorResult failure(String description) {
        return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, description, null));
    }
}
