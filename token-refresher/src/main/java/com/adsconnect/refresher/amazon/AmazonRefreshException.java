package com.adsconnect.refresher.amazon;

import java.time.Duration;

/**
 * A refresh Amazon did not grant. {@code permanent}: the refresh token is dead ({@code invalid_grant},
 * {@code invalid_client}, {@code unauthorized_client}) and retrying cannot help; otherwise a
 * transient failure (429, 5xx, timeout, I/O, malformed answer), with Amazon's Retry-After if sent.
 */
public final class AmazonRefreshException extends RuntimeException {

    private final boolean permanent;
    private final String errorCode;
    private final Duration retryAfter;

    AmazonRefreshException(boolean permanent, String errorCode, Duration retryAfter, String message) {
        super(message, null, false, false);
        this.permanent = permanent;
        this.errorCode = errorCode;
        this.retryAfter = retryAfter;
    }

    public boolean permanent() {
        return permanent;
    }

    /** LWA's error code, or a short code of ours ({@code server_error}, {@code rate_limited}, {@code timeout}, ...). */
    public String errorCode() {
        return errorCode;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
