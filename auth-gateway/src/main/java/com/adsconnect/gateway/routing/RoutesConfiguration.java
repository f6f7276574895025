package com.adsconnect.gateway.routing;

import static org.springframework.cloud.gateway.support.RouteMetadataUtils.CONNECT_TIMEOUT_ATTR;
import static org.springframework.cloud.gateway.support.RouteMetadataUtils.RESPONSE_TIMEOUT_ATTR;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.micrometer.tagged.TaggedCircuitBreakerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;

/**
 * The gateway routes only the public API and the webhooks. Anything else, including
 * {@code /internal/**} and the backends' actuator endpoints, has no route and answers 404 here.
 * Each route has its own circuit breaker, so that unauthenticated webhook traffic cannot open the
 * one the signed-in users' API depends on. A breaker counts only the backend's failures: a
 * connection that could not be made or was dropped, and a response that did not come within
 * {@code gateway.response-timeout}; never the gateway's own refusals (an oversized body) or an
 * exchange that ran out of time because the client sent its body slowly.
 */
@Configuration(proxyBeanMethods = false)
class RoutesConfiguration {

    static final String BREAKER = "account-service";
    static final String WEBHOOK_BREAKER = "account-service-webhooks";

    @Bean
    CircuitBreakerRegistry gatewayCircuitBreakers(DownstreamProperties downstream, MeterRegistry meters) {
        var settings = downstream.circuitBreaker();
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRateThreshold())
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumCalls())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(3)
                .recordException(RoutesConfiguration::backendFailure)
                .build());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        return registry;
    }

    @Bean
    RouteLocator accountServiceRoutes(RouteLocatorBuilder routes, DownstreamProperties downstream, CircuitBreakerRegistry breakers) {
        String accountService = downstream.accountServiceUrl().toString();
        var timeLimit = downstream.connectTimeout().plus(downstream.responseTimeout());
        var resilience = new DownstreamResilienceFilter(breakers.circuitBreaker(BREAKER), timeLimit);
        var webhookResilience = new DownstreamResilienceFilter(breakers.circuitBreaker(WEBHOOK_BREAKER), timeLimit);
        return routes.routes()
                .route("account-api", r -> r.path("/api/**")
                        .filters(f -> f.filter(resilience)
                                // the session cookie became the Authorization header; no other cookie is the backend's business
                                .removeRequestHeader(HttpHeaders.COOKIE))
                        .metadata(timeouts(downstream))
                        .uri(accountService))
                .route("account-webhooks", r -> r.path("/webhooks/**")
                        .filters(f -> f.filter(webhookResilience).removeRequestHeader(HttpHeaders.COOKIE))
                        .metadata(timeouts(downstream))
                        .uri(accountService))
                .build();
    }

    /** The backend could not be reached, dropped the connection, or did not answer in time. */
    static boolean backendFailure(Throwable error) {
        if (error instanceof DownstreamResilienceFilter.ExchangeTimeLimitExceeded) {
            // the whole exchange, the client's upload included: a slow client, not a slow backend
            return false;
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ConnectException || cause instanceof io.netty.channel.ConnectTimeoutException
                    || cause instanceof java.net.NoRouteToHostException || cause instanceof java.net.UnknownHostException
                    || cause instanceof reactor.netty.http.client.PrematureCloseException
                    || cause instanceof java.util.concurrent.TimeoutException
                    || cause instanceof java.io.IOException) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    private static Map<String, Object> timeouts(DownstreamProperties downstream) {
        return Map.of(CONNECT_TIMEOUT_ATTR, (int) downstream.connectTimeout().toMillis(),
                RESPONSE_TIMEOUT_ATTR, downstream.responseTimeout().toMillis());
    }
}
