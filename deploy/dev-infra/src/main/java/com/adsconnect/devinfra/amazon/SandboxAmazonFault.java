package com.adsconnect.devinfra.amazon;

import java.time.Duration;

/** A failure the sandbox answers with instead of the real thing, to exercise error handling. */
public sealed interface SandboxAmazonFault {

    /** 429 with {@code Retry-After}. */
    record RateLimited(Duration retryAfter) implements SandboxAmazonFault {
    }

    /** A 5xx answer. */
    record ServerError(int status) implements SandboxAmazonFault {
    }

    /** 400 {@code {"error":"invalid_grant"}}, as for a revoked or expired grant. */
    record InvalidGrant() implements SandboxAmazonFault {
    }

    /** Another LWA error code, with its status. */
    record LwaError(int status, String error) implements SandboxAmazonFault {
    }

    /** A 200 whose body is not what Amazon sends. */
    record MalformedBody() implements SandboxAmazonFault {
    }

    /** The real answer, after a delay. */
    record Latency(Duration delay) implements SandboxAmazonFault {
    }
}
