package com.adsconnect.account.provider;

import java.time.Duration;

/**
 * A provider call that did not succeed, classified so callers can react without knowing the
 * provider: the user's grant was refused, the provider is throttling us, or it is unavailable.
 * Messages and fields never carry tokens or codes.
 */
public final class ProviderException extends RuntimeException {

    public enum Kind {
        /** The provider refused the code or refresh token ({@code invalid_grant} and friends). */
        GRANT_REJECTED,
        /** Our client credentials or configuration were refused ({@code invalid_client}). */
        CLIENT_REJECTED,
        /** 429: slow down, for at least {@link #retryAfter()}. */
        RATE_LIMITED,
        /** 5xx, timeouts, connection failures, malformed answers. */
        UNAVAILABLE
    }

    private final Provider provider;
    private final Kind kind;
    private final String providerError;
    private final Duration retryAfter;

    public ProviderException(Provider provider, Kind kind, String providerError, Duration retryAfter, String message) {
        super(message, null, false, false);
        this.provider = provider;
        this.kind = kind;
        this.providerError = providerError;
        this.retryAfter = retryAfter;
    }

    public Provider provider() {
        return provider;
    }

    public Kind kind() {
        return kind;
    }

    /** The provider's own error code (for example {@code invalid_grant}), when it sent one. */
    public String providerError() {
        return providerError;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
