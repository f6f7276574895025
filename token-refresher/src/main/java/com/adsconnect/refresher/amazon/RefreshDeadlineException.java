package com.adsconnect.refresher.amazon;

import java.time.Duration;

/**
 * The refresh was not attempted (again) because it could not finish before the caller's deadline
 * (the end of its lease): the next call could start only after Amazon's Retry-After or after the
 * lease had run out. Nothing reached Amazon for this attempt, so nothing can have been granted.
 *
 * <p>{@code errorCode} is {@code rate_limited} when Amazon's Retry-After is what stands in the way
 * (then {@code retryAfter} is how long it still holds), else {@code lease_ending}.
 */
public final class RefreshDeadlineException extends RuntimeException {

    private final String errorCode;
    private final Duration retryAfter;

    RefreshDeadlineException(String errorCode, Duration retryAfter) {
        super("no time left in the lease for another call to Amazon (" + errorCode + ")", null, false, false);
        this.errorCode = errorCode;
        this.retryAfter = retryAfter;
    }

    public String errorCode() {
        return errorCode;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
