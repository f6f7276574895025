package com.adsconnect.account.provider;

import java.time.Duration;

/** Tokens a provider issued. {@link #toString()} never shows them. */
public record ProviderTokens(String accessToken, String refreshToken, Duration expiresIn) {

    @Override
    public String toString() {
        return "ProviderTokens[accessToken=<redacted>, refreshToken=<redacted>, expiresIn=" + expiresIn + "]";
    }
}
