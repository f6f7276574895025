package com.adsconnect.refresher.provider;

import java.time.Duration;

/**
 * A refreshed grant. {@code refreshToken} is what the answer carried: the same one (Amazon), a new
 * one (Microsoft rotates it every time), or null (Google sends none). {@code refreshTokenExpiresIn}:
 * the refresh token's own remaining lifetime where the answer says ({@code refresh_token_expires_in},
 * Google's time-based access), else null. {@link #toString()} never shows the tokens.
 */
public record RefreshedTokens(String accessToken, String refreshToken, Duration expiresIn, Duration refreshTokenExpiresIn) {

    public RefreshedTokens(String accessToken, String refreshToken, Duration expiresIn) {
        this(accessToken, refreshToken, expiresIn, null);
    }


    @Override
    public String toString() {
        return "RefreshedTokens[accessToken=<redacted>, refreshToken=<redacted>, expiresIn=" + expiresIn
                + ", refreshTokenExpiresIn=" + refreshTokenExpiresIn + "]";
    }
}
