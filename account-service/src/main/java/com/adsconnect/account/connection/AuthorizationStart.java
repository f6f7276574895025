package com.adsconnect.account.connection;

import java.net.URI;
import java.time.Instant;

/**
 * Where to send the browser, and the state the callback must bring back before {@code expiresAt}.
 * {@link #toString()} shows neither: the state (also in the URL) is a bearer secret until it is used.
 */
public record AuthorizationStart(URI authorizationUrl, String state, Instant expiresAt) {

    @Override
    public String toString() {
        return "AuthorizationStart[expiresAt=" + expiresAt + "]";
    }
}
