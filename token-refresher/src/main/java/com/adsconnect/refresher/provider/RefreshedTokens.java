package com.adsconnect.refresher.provider;

import java.time.Duration;

/**
 * A refreshed grant. {@code refreshToken} is what the answer carried: the same one (Amazon), a new
 * one (Microsoft rotates it every time), or null (Google sends none). {@link #toString()} never shows the tokens.
 */
public record RefreshedTokens(String accessToken, String refreshToken, Duration expiresIn) {

    @Override
    public String toString() {
        return "RefreshedTokens[accessToken=<redacted>, refreshToken=<redacted>, expiresIn=" + expiresIn + "]";
    }
}
