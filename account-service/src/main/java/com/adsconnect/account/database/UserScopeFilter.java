package com.adsconnect.account.database;

import org.springframework.core.annotation.Order;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * A request signed in with a Clerk session token does its database work in that user's
 * {@link UserScope}: row-level security shows it the user's rows only, whatever a query forgets.
 * Runs after Spring Security's filter chain (order -100), which has authenticated the request.
 */
@Component
@Order(0)
class UserScopeFilter implements WebFilter {

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        // only the public API is signed in with session tokens; everything else is left as it is
        if (!exchange.getRequest().getPath().pathWithinApplication().value().startsWith("/api/")) {
            return chain.filter(exchange);
        }
        return exchange.getPrincipal()
                .filter(Authentication.class::isInstance)
                .map(principal -> ((Authentication) principal).getPrincipal())
                .filter(Jwt.class::isInstance)
                .map(jwt -> ((Jwt) jwt).getSubject())
                .map(user -> chain.filter(exchange).contextWrite(UserScope.of(user)))
                .defaultIfEmpty(Mono.defer(() -> chain.filter(exchange)))
                .flatMap(work -> work);
    }
}
