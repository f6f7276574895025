package com.adsconnect.account.provider;

import java.time.Duration;
import java.util.Set;

/**
 * Tokens a provider issued, and the scopes it says it granted (null when its answer does not say,
 * as Login with Amazon's does not). {@code refreshTokenExpiresIn} is the refresh token's own
 * lifetime where the provider gives one (Google's {@code refresh_token_expires_in} for time-based
 * access), else null. {@link #toString()} never shows the tokens.
 */
public record ProviderTokens(String accessToken, String refreshToken, Duration expiresIn, Set<String> grantedScopes,
        Duration refreshTokenExpiresIn) {

    public ProviderTokens(String accessToken, String refreshToken, Duration expiresIn) {
        this(accessToken, refreshToken, expiresIn, null, null);
    }

    /** The same tokens with these granted scopes. */
    public ProviderTokens withGrantedScopes(Set<String> scopes) {
        return new ProviderTokens(accessToken, refreshToken, expiresIn, scopes, refreshTokenExpiresIn);
    }

    @Override
    public String toString() {
        return "ProviderTokens[accessToken=<redacted>, refreshToken=<redacted>, expiresIn=" + expiresIn
                + ", grantedScopes=" + grantedScopes + ", refreshTokenExpiresIn=" + refreshTokenExpiresIn + "]";
    }
}
