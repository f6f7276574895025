package com.adsconnect.account.audit;

import com.adsconnect.forwarded.TrustedProxies;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * The client address the audit trail records ({@link RequestOrigin}): the gateway's
 * {@code X-Forwarded-For} when the request comes from the gateway ({@code forwarded.trusted-proxies}),
 * else the connection's peer. Forwarding headers from anyone else, an internal service with an API
 * key included, are removed unread.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ForwardedClientFilter implements WebFilter {

    private final TrustedProxies gateway;

    ForwardedClientFilter(ForwardedProperties properties) {
        this.gateway = TrustedProxies.of(properties.trustedProxies());
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        if (!TrustedProxies.carriesForwarding(exchange.getRequest().getHeaders())) {
            return chain.filter(exchange);
        }
        return chain.filter(exchange.mutate().request(gateway.believed(exchange.getRequest()).build()).build());
    }
}
