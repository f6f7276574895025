package com.adsconnect.refresher.provider;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.bind.DefaultValue;

/** The Resilience4j settings every provider's token endpoint client has (each provider its own values and instances). */
public final class TokenEndpointResilience {

    private TokenEndpointResilience() {
    }

    /**
     * @param maxAttempts     calls in all, the first included
     * @param initialBackoff  wait before the second call, then multiplied each time, with +/- jitter
     * @param maxBackoff      the longest wait, unless the provider's Retry-After asks for more
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
     * @param requestsPerSecond token calls per second per region, kept under the provider's quota
     * @param maxWait           how long a call may wait for a permit before it counts as throttled
     */
    public record RateLimit(@Min(1) @DefaultValue("50") int requestsPerSecond, @NotNull @DefaultValue("30s") Duration maxWait) {
    }
}
