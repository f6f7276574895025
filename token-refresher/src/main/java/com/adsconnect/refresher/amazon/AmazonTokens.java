package com.adsconnect.refresher.amazon;

import java.time.Duration;

/** A refreshed grant. {@link #toString()} never shows the tokens. */
public record AmazonTokens(String accessToken, String refreshToken, Duration expiresIn) {

    @Override
    public String toString() {
        return "AmazonTokens[accessToken=<redacted>, refreshToken=<redacted>, expiresIn=" + expiresIn + "]";
    }
}
