package com.adsconnect.account.security;

import com.adsconnect.account.apikey.ApiKeys;
import com.adsconnect.clerk.BearerTokens;
import com.adsconnect.clerk.ClerkJwtDecoders;
import com.adsconnect.clerk.ClerkProperties;
import java.time.Clock;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.authentication.ReactiveAuthenticationManager;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.web.server.SecurityWebFiltersOrder;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.ReactiveJwtDecoder;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.security.web.server.authentication.AuthenticationWebFilter;
import org.springframework.security.web.server.authentication.ServerAuthenticationEntryPointFailureHandler;
import org.springframework.security.web.server.context.NoOpServerSecurityContextRepository;
import org.springframework.security.web.server.util.matcher.ServerWebExchangeMatchers;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Every user-facing request carries a Clerk session token, verified here again even though the
 * gateway checked it: this service never trusts identity headers.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ClerkProperties.class)
class SecurityConfiguration {

    /**
     * Internal callers (token-refresher, reporting, campaign sync) authenticate with a service API
     * key, as {@code Authorization: Bearer <key>} or {@code X-Api-Key}, and need the scope of the
     * endpoint. Session tokens mean nothing here.
     */
    @Bean
    @Order(1)
    SecurityWebFilterChain internalApiSecurity(ServerHttpSecurity http, ApiKeys apiKeys, JsonMapper jsonMapper) {
        var problems = new ProblemDetailsSecurityHandlers(jsonMapper);
        var entryPoint = problems.entryPoint("A valid service API key is required.", "Bearer realm=\"internal\"");
        AuthenticationWebFilter apiKeyFilter = new AuthenticationWebFilter(
                (ReactiveAuthenticationManager) authentication -> Mono.just(authentication));
        apiKeyFilter.setServerAuthenticationConverter(exchange -> Mono.justOrEmpty(presentedKey(exchange.getRequest().getHeaders()))
                .map(key -> apiKeys.authenticate(key).<Authentication>map(a -> a)
                        .orElseThrow(() -> new BadCredentialsException("unknown or revoked API key"))));
        apiKeyFilter.setAuthenticationFailureHandler(new ServerAuthenticationEntryPointFailureHandler(entryPoint));
        return http
                .securityMatcher(ServerWebExchangeMatchers.pathMatchers("/internal/**"))
                .csrf(ServerHttpSecurity.CsrfSpec::disable)
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .addFilterAt(apiKeyFilter, SecurityWebFiltersOrder.AUTHENTICATION)
                .authorizeExchange(exchanges -> {
                    for (InternalApiScopes.Rule rule : InternalApiScopes.RULES) {
                        (rule.method() == null ? exchanges.pathMatchers(rule.pattern()) : exchanges.pathMatchers(rule.method(), rule.pattern()))
                                .hasAuthority("SCOPE_" + rule.scope());
                    }
                    exchanges.anyExchange().denyAll();
                })
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint(entryPoint)
                        .accessDeniedHandler(problems.accessDenied()))
                .build();
    }

    private static String presentedKey(HttpHeaders headers) {
        String apiKey = headers.getFirst("X-Api-Key");
        if (apiKey != null) {
            return apiKey;
        }
        String authorization = headers.getFirst(HttpHeaders.AUTHORIZATION);
        return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7) ? authorization.substring(7) : null;
    }

    @Bean
    @Order(2)
    SecurityWebFilterChain securityWebFilterChain(ServerHttpSecurity http, ReactiveJwtDecoder clerkJwtDecoder,
            JsonMapper jsonMapper) {
        var problems = new ProblemDetailsSecurityHandlers(jsonMapper);
        return http
                .csrf(ServerHttpSecurity.CsrfSpec::disable) // bearer tokens only, no cookies
                .httpBasic(ServerHttpSecurity.HttpBasicSpec::disable)
                .formLogin(ServerHttpSecurity.FormLoginSpec::disable)
                .logout(ServerHttpSecurity.LogoutSpec::disable)
                .requestCache(ServerHttpSecurity.RequestCacheSpec::disable)
                // stateless: the default repository looked for a security context in a WebSession, creating
                // one (on the bounded-elastic scheduler, then back on a parallel thread) for every request
                // that carried no token, health checks included
                .securityContextRepository(NoOpServerSecurityContextRepository.getInstance())
                .authorizeExchange(exchanges -> exchanges
                        .pathMatchers("/actuator/health/**", "/actuator/info", "/actuator/prometheus").permitAll()
                        // authenticated by its Svix signature, checked in the controller
                        .pathMatchers(HttpMethod.POST, "/webhooks/clerk").permitAll()
                        // an email's unsubscribe link works without signing in: its token is signed
                        .pathMatchers(HttpMethod.POST, "/api/v1/notifications/unsubscribe").permitAll()
                        .pathMatchers("/v3/api-docs/**", "/v3/api-docs.yaml/**", "/swagger-ui.html", "/swagger-ui/**", "/webjars/**").permitAll()
                        .pathMatchers("/api/**").authenticated()
                        .anyExchange().denyAll())
                .oauth2ResourceServer(oauth2 -> oauth2
                        .bearerTokenConverter(new BearerTokens())
                        .jwt(jwt -> jwt.jwtDecoder(clerkJwtDecoder))
                        .authenticationEntryPoint(problems.entryPoint())
                        .accessDeniedHandler(problems.accessDenied()))
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint(problems.entryPoint())
                        .accessDeniedHandler(problems.accessDenied()))
                .build();
    }

    @Bean
    ReactiveJwtDecoder clerkJwtDecoder(ClerkProperties clerk, WebClient.Builder webClientBuilder, Clock clock) {
        return ClerkJwtDecoders.create(clerk, webClientBuilder, clock);
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
