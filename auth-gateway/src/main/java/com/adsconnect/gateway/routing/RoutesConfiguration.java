package com.adsconnect.gateway.routing;

import static org.springframework.cloud.gateway.support.RouteMetadataUtils.CONNECT_TIMEOUT_ATTR;
import static org.springframework.cloud.gateway.support.RouteMetadataUtils.RESPONSE_TIMEOUT_ATTR;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
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
 * Both routes share one circuit breaker: they are one backend.
 */
@Configuration(proxyBeanMethods = false)
class RoutesConfiguration {

    static final String BREAKER = "account-service";

    @Bean
    CircuitBreakerRegistry gatewayCircuitBreakers(DownstreamProperties downstream, MeterRegistry meters) {
        var settings = downstream.circuitBreaker();
        CircuitBreakerRegistry registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRateThreshold())
                .slidingWindowSize(settings.slidingWindowSize())
                .minimumNumberOfCalls(settings.minimumCalls())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(3)
                .build());
        TaggedCircuitBreakerMetrics.ofCircuitBreakerRegistry(registry).bindTo(meters);
        return registry;
    }

    @Bean
    RouteLocator accountServiceRoutes(RouteLocatorBuilder routes, DownstreamProperties downstream, CircuitBreakerRegistry breakers) {
        String accountService = downstream.accountServiceUrl().toString();
        CircuitBreaker breaker = breakers.circuitBreaker(BREAKER);
        var resilience = new DownstreamResilienceFilter(breaker, downstream.connectTimeout().plus(downstream.responseTimeout()));
        return routes.routes()
                .route("account-api", r -> r.path("/api/**")
                        .filters(f -> f.filter(resilience)
                                // the session cookie became the Authorization header; no other cookie is the backend's business
                                .removeRequestHeader(HttpHeaders.COOKIE))
                        .metadata(timeouts(downstream))
                        .uri(accountService))
                .route("account-webhooks", r -> r.path("/webhooks/**")
                        .filters(f -> f.filter(resilience).removeRequestHeader(HttpHeaders.COOKIE))
                        .metadata(timeouts(downstream))
                        .uri(accountService))
                .build();
    }

    private static Map<String, Object> timeouts(DownstreamProperties downstream) {
        return Map.of(CONNECT_TIMEOUT_ATTR, (int) downstream.connectTimeout().toMillis(),
                RESPONSE_TIMEOUT_ATTR, downstream.responseTimeout().toMillis());
    }
}
