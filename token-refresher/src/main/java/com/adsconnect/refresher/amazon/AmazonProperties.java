package com.adsconnect.refresher.amazon;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Login with Amazon's token endpoint and the resilience around it. Env: {@code AMAZON_CLIENT_ID},
 * {@code AMAZON_CLIENT_SECRET}, {@code AMAZON_REGIONS_NA_TOKEN_URL}, {@code AMAZON_RETRY_MAX_ATTEMPTS}, ...
 *
 * @param clientId        the LWA client id (the same security profile as account-service's)
 * @param clientSecret    its secret
 * @param regions         the token endpoint per region
 * @param connectTimeout  TCP connect timeout
 * @param timeLimit       the most one token call may take (the time limiter)
 * @param maxConnections  connections to Amazon per region host
 * @param retry           retries on I/O errors, timeouts, 5xx and 429
 * @param circuitBreaker  per region
 * @param rateLimit       per region, Amazon's quota
 */
@Validated
@ConfigurationProperties("amazon")
public record AmazonProperties(
        @NotBlank String clientId,
        @NotBlank String clientSecret,
        @NotEmpty Map<String, @Valid Region> regions,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("10s") Duration timeLimit,
        @Min(1) @DefaultValue("200") int maxConnections,
        @NotNull @Valid @DefaultValue Retry retry,
        @NotNull @Valid @DefaultValue CircuitBreaker circuitBreaker,
        @NotNull @Valid @DefaultValue RateLimit rateLimit) {

    /** Without the client secret. */
    @Override
    public String toString() {
        return "AmazonProperties[clientId=" + clientId + ", regions=" + regions + ", timeLimit=" + timeLimit + ", rateLimit=" + rateLimit + "]";
    }

    public record Region(@NotNull URI tokenUrl) {
    }

    /**
     * @param maxAttempts     calls in all, the first included
     * @param initialBackoff  wait before the second call, then multiplied each time, with +/- jitter
     * @param maxBackoff      the longest wait, unless Amazon's Retry-After asks for more
     */
    public record Retry(
            @Min(1) @DefaultValue("4") int maxAttempts,
            @NotNull @DefaultValue("500ms") Duration initialBackoff,
            @DecimalMin("1.0") @DefaultValue("2.0") double multiplier,
            @DecimalMin("0.0") @DecimalMax("1.0") @DefaultValue("0.5") double jitter,
            @NotNull @DefaultValue("30s") Duration maxBackoff) {
    }

    /**
     * @param failureRateThreshold percent of failed calls in the window that opens the breaker
     * @param slidingWindowSize    calls in the window
     * @param minimumCalls         calls before the rate counts
     * @param waitInOpenState      how long it stays open before letting trial calls through
     */
    public record CircuitBreaker(
            @DecimalMin("1") @DecimalMax("100") @DefaultValue("50") float failureRateThreshold,
            @Min(1) @DefaultValue("20") int slidingWindowSize,
            @Min(1) @DefaultValue("10") int minimumCalls,
            @NotNull @DefaultValue("30s") Duration waitInOpenState) {
    }

    /**
     * @param requestsPerSecond token calls per second per region, kept under Amazon's quota
     * @param maxWait           how long a call may wait for a permit before it counts as throttled
     */
    public record RateLimit(@Min(1) @DefaultValue("50") int requestsPerSecond, @NotNull @DefaultValue("30s") Duration maxWait) {
    }
}
