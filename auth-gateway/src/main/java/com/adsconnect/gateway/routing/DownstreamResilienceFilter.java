package com.adsconnect.gateway.routing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.springframework.cloud.gateway.filter.GatewayFilter;
import org.springframework.cloud.gateway.filter.GatewayFilterChain;
import org.springframework.http.HttpStatus;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * A circuit breaker and a time limit around the call to the backend. An open breaker answers at
 * once (503 problem, see {@code GatewayProblemHandler}) instead of letting every request wait for
 * connection timeouts while account-service is down; the time limit turns a backend that hangs
 * into a 504. Which errors count as the backend's failures is the breaker's configuration
 * ({@link RoutesConfiguration#backendFailure}): never a 4xx or 5xx the backend chose to send,
 * the gateway's own refusals, or this time limit (it includes the client's upload).
 */
final class DownstreamResilienceFilter implements GatewayFilter {

    private final CircuitBreaker breaker;
    private final Duration timeLimit;

    DownstreamResilienceFilter(CircuitBreaker breaker, Duration timeLimit) {
        this.breaker = breaker;
        this.timeLimit = timeLimit;
    }

    /** The whole exchange, upload included, took longer than the time limit: 504. */
    static final class ExchangeTimeLimitExceeded extends ResponseStatusException {
        ExchangeTimeLimitExceeded(Duration timeLimit) {
            super(HttpStatus.GATEWAY_TIMEOUT, "no answer within " + timeLimit, new TimeoutException());
        }
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, GatewayFilterChain chain) {
        return chain.filter(exchange)
                .timeout(timeLimit, Mono.error(() -> new ExchangeTimeLimitExceeded(timeLimit)))
                .transformDeferred(CircuitBreakerOperator.of(breaker));
    }
}
