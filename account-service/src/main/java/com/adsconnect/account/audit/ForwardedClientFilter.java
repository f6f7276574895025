package com.adsconnect.account.audit;

import com.adsconnect.forwarded.TrustedProxies;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
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
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        if (TrustedProxies.FORWARDING_HEADERS.stream().noneMatch(headers::containsHeader)) {
            return chain.filter(exchange);
        }
        InetSocketAddress peer = request.getRemoteAddress();
        InetAddress peerAddress = peer == null ? null : peer.getAddress();
        InetAddress client = gateway.client(peerAddress, headers.get("X-Forwarded-For"));
        ServerHttpRequest.Builder cleaned = request.mutate().headers(h -> TrustedProxies.FORWARDING_HEADERS.forEach(h::remove));
        if (client != null && !client.equals(peerAddress)) {
            cleaned.remoteAddress(new InetSocketAddress(client, 0));
        }
        return chain.filter(exchange.mutate().request(cleaned.build()).build());
    }
}
