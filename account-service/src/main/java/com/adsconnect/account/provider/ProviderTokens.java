package com.adsconnect.account.provider;

import java.time.Duration;
import java.util.Set;

/**
 * Tokens a provider issued, and the scopes it says it granted (null when its answer does not say,
 * as Login with Amazon's does not). {@link #toString()} never shows the tokens.
 */
public record ProviderTokens(String accessToken, String refreshToken, Duration expiresIn, Set<String> grantedScopes) {

    public ProviderTokens(String accessToken, String refreshToken, Duration expiresIn) {
        this(accessToken, refreshToken, expiresIn, null);
    }

    @Override
    public String toString() {
        return "ProviderTokens[accessToken=<redacted>, refreshToken=<redacted>, expiresIn=" + expiresIn
                + ", grantedScopes=" + grantedScopes + "]";
    }
}
