package com.adsconnect.refresher.provider;

import java.time.Duration;

/**
 * A refresh the provider did not grant. {@code permanent}: the refresh token is dead
 * ({@code invalid_grant} and the provider's other such codes) and retrying cannot help; otherwise a
 * transient failure (429, 5xx, timeout, I/O, malformed answer, a provider not configured here),
 * with the provider's Retry-After if it sent one.
 */
public final class ProviderRefreshException extends RuntimeException {

    private final boolean permanent;
    private final String errorCode;
    private final Duration retryAfter;

    ProviderRefreshException(boolean permanent, String errorCode, Duration retryAfter, String message) {
        super(message, null, false, false);
        this.permanent = permanent;
        this.errorCode = errorCode;
        this.retryAfter = retryAfter;
    }

    /** The refresher has no client for the provider: a configuration gap, retried until it is closed. */
    public static ProviderRefreshException notConfigured(String provider) {
        return new ProviderRefreshException(false, "provider_not_configured", null, "no token client for provider " + provider);
    }

    public boolean permanent() {
        return permanent;
    }

    /** The provider's OAuth error code, or a short code of ours ({@code server_error}, {@code rate_limited}, {@code timeout}, ...). */
    public String errorCode() {
        return errorCode;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
