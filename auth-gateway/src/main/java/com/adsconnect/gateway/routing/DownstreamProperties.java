package com.adsconnect.gateway.routing;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Where the gateway sends the routes it owns, and how long it waits. Env:
 * {@code GATEWAY_ACCOUNT_SERVICE_URL}, {@code GATEWAY_CONNECT_TIMEOUT}, {@code GATEWAY_RESPONSE_TIMEOUT},
 * {@code GATEWAY_CIRCUIT_BREAKER_*}. Connection pool lifetimes are Spring Cloud Gateway's
 * {@code spring.cloud.gateway.server.webflux.httpclient.pool.*}.
 *
 * @param accountServiceUrl base URL of account-service
 * @param connectTimeout    longest wait for a TCP connection to the backend
 * @param responseTimeout   longest wait for the backend's response headers; the time limiter
 *                          allows {@code connectTimeout + responseTimeout} for the whole exchange
 * @param circuitBreaker    when the gateway stops trying a failing backend for a while
 */
@Validated
@ConfigurationProperties("gateway")
public record DownstreamProperties(
        @NotNull @DefaultValue("http://127.0.0.1:8081") URI accountServiceUrl,
        @NotNull @DefaultValue("2s") Duration connectTimeout,
        @NotNull @DefaultValue("10s") Duration responseTimeout,
        @NotNull @Valid @DefaultValue CircuitBreaker circuitBreaker) {

    /**
     * @param failureRateThreshold percentage of failed calls (connection errors, timeouts) that opens the breaker
     * @param slidingWindowSize    how many recent calls the rate is computed over
     * @param minimumCalls         calls needed before the rate counts
     * @param openFor              how long an open breaker answers 503 at once before it lets trial calls through
     */
    public record CircuitBreaker(
            @Min(1) @Max(100) @DefaultValue("50") int failureRateThreshold,
            @Min(1) @DefaultValue("20") int slidingWindowSize,
            @Min(1) @DefaultValue("10") int minimumCalls,
            @NotNull @DefaultValue("10s") Duration openFor) {
    }
}
