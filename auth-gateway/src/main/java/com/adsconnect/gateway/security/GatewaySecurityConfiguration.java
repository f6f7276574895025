package com.adsconnect.gateway.security;

import static com.adsconnect.gateway.problem.GatewayProblems.problem;

import com.adsconnect.clerk.BearerTokens;
import com.adsconnect.clerk.ClerkJwtDecoders;
import com.adsconnect.clerk.ClerkProperties;
import com.adsconnect.gateway.problem.GatewayProblems;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.header.ReferrerPolicyServerHttpHeadersWriter.ReferrerPolicy;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.reactive.CorsConfigurationSource;
import org.springframework.web.cors.reactive.UrlBasedCorsConfigurationSource;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The gateway's first line: a verified Clerk session token on {@code /api/**} (the same rules as
 * account-service, which checks again), CORS for the front ends, and security headers on every
 * answer, the gateway's own included. The Clerk webhook carries no token; account-service checks
 * its Svix signature. Paths without a route are left to the router, which answers 404.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ClerkProperties.class)
class GatewaySecurityConfiguration {

    private static final Duration HSTS_MAX_AGE = Duration.ofDays(365);

    @Bean
    SecurityWebFilterChain gatewaySecurity(ServerHttpSecurity http, ReactiveJwtDecoder clerkJwtDecoder,
            GatewayProperties gateway, GatewayProblems problems, MeterRegistry meters) {
        ServerAuthenticationEntryPoint unauthorized = (exchange, error) -> problems.write(exchange,
                problem(HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized", "A valid Clerk session token is required."),
                headers -> headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer"));
        return http
                // browsers attach bearer tokens only when told to; the cookie path has its own origin check
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .cors(ServerHttpSecurity.CorsSpec::disable)
                .addFilterAt(new CorsProblemFilter(cors(gateway.allowedOrigins()), problems), SecurityWebFiltersOrder.CORS)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .headers(headers -> headers
                        // written only when the request came over TLS (directly or per the trusted forwarded headers)
                        .hsts(hsts -> hsts.maxAge(HSTS_MAX_AGE).includeSubdomains(true))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER))
                        .contentSecurityPolicy(csp -> csp.policyDirectives("default-src 'none'; frame-ancestors 'none'")))
                .addFilterAt(new SessionCookieFilter(Set.copyOf(gateway.allowedOrigins()), problems, meters), SecurityWebFiltersOrder.CSRF)
                .authorizeExchange(exchanges -> exchanges
                        .pathMatchers(HttpMethod.OPTIONS).permitAll()
                        // an email's one-click unsubscribe (RFC 8058): its signed token is checked by account-service
                        .pathMatchers(HttpMethod.POST, "/api/v1/notifications/unsubscribe").permitAll()
                        .pathMatchers("/api/**").authenticated()
                        .anyExchange().permitAll())
                .oauth2ResourceServer(oauth2 -> oauth2
                        .bearerTokenConverter(new BearerTokens())
                        .jwt(jwt -> jwt.jwtDecoder(clerkJwtDecoder))
                        .authenticationEntryPoint(unauthorized))
                .exceptionHandling(errors -> errors.authenticationEntryPoint(unauthorized))
                .build();
    }

    @Bean
    ReactiveJwtDecoder clerkJwtDecoder(ClerkProperties clerk, WebClient.Builder webClientBuilder, MeterRegistry meters) {
        return new MeteredJwtDecoder(ClerkJwtDecoders.create(clerk, webClientBuilder, Clock.systemUTC()), meters);
    }

    private static CorsConfigurationSource cors(List<String> allowedOrigins) {
        CorsConfiguration api = new CorsConfiguration();
        api.setAllowedOrigins(allowedOrigins);
        api.setAllowedMethods(List.of("GET", "POST", "PUT", "PATCH", "DELETE"));
        api.setAllowedHeaders(List.of(HttpHeaders.AUTHORIZATION, HttpHeaders.CONTENT_TYPE, HttpHeaders.IF_MATCH,
                "X-Request-Id", "Idempotency-Key", "traceparent", "tracestate"));
        api.setExposedHeaders(List.of("RateLimit", "RateLimit-Policy", HttpHeaders.RETRY_AFTER, "X-Request-Id",
                "traceresponse", HttpHeaders.LOCATION, HttpHeaders.ETAG));
        // the __session cookie is a credential
        api.setAllowCredentials(true);
        api.setMaxAge(Duration.ofMinutes(10));
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/api/**", api);
        return source;
    }

    /**
     * Spring Security observes nothing: it would time and trace its filter chains, authentication
     * and authorization, four observations per request beside the server's own (half of the
     * gateway's CPU samples in Micrometer's code in a profile of the gateway benchmark). Turning
     * them off by property left every filter wrapped in an observing decorator all the same; with
     * these settings the chains are built without it. The server observation times each request,
     * and refused tokens have their own counters.
     */
    @Bean
    static SecurityObservationSettings securityObservationSettings() {
        return SecurityObservationSettings.noObservations();
    }
}
