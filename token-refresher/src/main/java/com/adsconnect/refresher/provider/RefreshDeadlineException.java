package com.adsconnect.refresher.provider;

import java.time.Duration;

/**
 * The refresh was not attempted (again) because it could not finish before the caller's deadline
 * (the end of its lease): the next call could start only after the provider's Retry-After or after
 * the lease had run out. Nothing reached the provider for this attempt, so nothing can have been granted.
 *
 * <p>{@code errorCode}: when the provider already answered this refresh with a failure, that failure's
 * code (with the longer of its Retry-After and the wait that did not fit); else {@code rate_limited}
 * when a Retry-After of another call is what stands in the way (then {@code retryAfter} is how long
 * it still holds); else {@code lease_ending}: nothing was asked of the provider at all.
 */
public final class RefreshDeadlineException extends RuntimeException {

    private final String errorCode;
    private final Duration retryAfter;
    private final ProviderRefreshException lastAnswer;

    RefreshDeadlineException(String errorCode, Duration retryAfter) {
        this(errorCode, retryAfter, null);
    }

    /** After the provider answered this refresh with {@code lastAnswer}: that is the failure to report. */
    RefreshDeadlineException(ProviderRefreshException lastAnswer, Duration wait) {
        this(lastAnswer.errorCode(), longer(lastAnswer.retryAfter(), wait), lastAnswer);
    }

    private RefreshDeadlineException(String errorCode, Duration retryAfter, ProviderRefreshException lastAnswer) {
        super("no time left in the lease for another call to the provider (" + errorCode + ")", lastAnswer, false, false);
        this.errorCode = errorCode;
        this.retryAfter = retryAfter;
        this.lastAnswer = lastAnswer;
    }

    private static Duration longer(Duration a, Duration b) {
        if (a == null) {
            return b == null || b.isZero() ? null : b;
        }
        return b == null || a.compareTo(b) >= 0 ? a : b;
    }

    /** Whether the provider answered this refresh (with a failure) before the deadline stopped its retries. */
    public boolean providerAnswered() {
        return lastAnswer != null;
    }

    public String errorCode() {
        return errorCode;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
