package com.adsconnect.clerk;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import java.io.IOException;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.springframework.security.oauth2.jwt.JwtValidationException;

/**
 * Why a session token was refused, as a stable code for metrics and logs. The code never carries
 * the token or the claim values.
 */
public enum TokenRejection {
    MALFORMED("malformed"),
    UNSUPPORTED_ALGORITHM("unsupported-algorithm"),
    BAD_SIGNATURE("bad-signature"),
    EXPIRED("expired"),
    MISSING_EXPIRY("missing-expiry"),
    NOT_YET_VALID("not-yet-valid"),
    WRONG_ISSUER("wrong-issuer"),
    UNAUTHORIZED_PARTY("unauthorized-party"),
    MISSING_SUBJECT("missing-subject"),
    KEYS_UNAVAILABLE("keys-unavailable");

    private final String code;

    TokenRejection(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }

    /**
     * Classifies a decoder failure. Claim failures carry their code as the OAuth2 error
     * description ({@link ClerkTokenValidators}); the header is looked at again for the rest, so
     * the answer does not depend on the wording of Nimbus' messages.
     */
    public static TokenRejection of(String token, Throwable failure) {
        if (failure instanceof JwtValidationException invalid) {
            return invalid.getErrors().stream()
                    .map(error -> fromCode(error.getDescription()))
                    .flatMap(Optional::stream)
                    .findFirst()
                    .orElse(BAD_SIGNATURE);
        }
        try {
            if (!(JWTParser.parse(token) instanceof SignedJWT signed)) {
                return UNSUPPORTED_ALGORITHM;
            }
            if (!JWSAlgorithm.RS256.equals(signed.getHeader().getAlgorithm())) {
                return UNSUPPORTED_ALGORITHM;
            }
            signed.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            return MALFORMED;
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException || cause instanceof TimeoutException) {
                return KEYS_UNAVAILABLE;
            }
        }
        return BAD_SIGNATURE;
    }

    static Optional<TokenRejection> fromCode(String code) {
        return Arrays.stream(values()).filter(reason -> reason.code.equals(code)).findFirst();
    }
}
