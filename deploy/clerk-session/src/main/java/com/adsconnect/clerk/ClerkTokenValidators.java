package com.adsconnect.clerk;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;

/**
 * The claim checks a Clerk session token must pass beyond its RS256 signature. Each failure's
 * description is a {@link TokenRejection} code, so callers can count refusals by reason.
 */
final class ClerkTokenValidators {

    private ClerkTokenValidators() {
    }

    static OAuth2TokenValidator<Jwt> forProperties(ClerkProperties clerk, Clock clock) {
        List<String> parties = clerk.authorizedParties();
        return jwt -> {
            Instant now = clock.instant();
            if (jwt.getExpiresAt() == null) {
                return failure(TokenRejection.MISSING_EXPIRY);
            }
            if (now.minus(clerk.clockSkew()).isAfter(jwt.getExpiresAt())) {
                return failure(TokenRejection.EXPIRED);
            }
            if (jwt.getNotBefore() != null && now.plus(clerk.clockSkew()).isBefore(jwt.getNotBefore())) {
                return failure(TokenRejection.NOT_YET_VALID);
            }
            if (!clerk.issuer().equals(jwt.getClaimAsString("iss"))) {
                return failure(TokenRejection.WRONG_ISSUER);
            }
            if (jwt.getSubject() == null || jwt.getSubject().isBlank()) {
                return failure(TokenRejection.MISSING_SUBJECT);
            }
            // Clerk puts the requesting origin in azp; when present it must be one we serve
            String azp = jwt.getClaimAsString("azp");
            if (azp != null && !parties.isEmpty() && !parties.contains(azp)) {
                return failure(TokenRejection.UNAUTHORIZED_PARTY);
            }
            return OAuth2TokenValidatorResult.success();
        };
    }

    private static OAuth2TokenValidatorResult failure(TokenRejection reason) {
        return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, reason.code(), null));
    }
}
