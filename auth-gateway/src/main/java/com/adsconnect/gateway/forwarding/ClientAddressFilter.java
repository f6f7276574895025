package com.adsconnect.gateway.forwarding;

import com.adsconnect.forwarded.TrustedProxies;
import com.adsconnect.gateway.security.GatewayProperties;
import java.util.List;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;

/**
 * Decides, first of all, who the client is: the connection's peer, or, when that peer is one of
 * {@code gateway.trusted-proxies}, the rightmost {@code X-Forwarded-For} hop that is not a proxy of
 * ours (and the scheme its {@code X-Forwarded-Proto} reports). Every forwarding header the client
 * sent is then removed, so that nothing after this filter (budgets keyed by address, HSTS, the
 * routes) and nothing downstream can be told another address. Spring's own forwarded-header
 * handling is off ({@code server.forward-headers-strategy: none}): it would believe any peer.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class ClientAddressFilter implements WebFilter {

    private final TrustedProxies proxies;

    ClientAddressFilter(GatewayProperties gateway) {
        this.proxies = TrustedProxies.of(gateway.trustedProxies());
    }

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        ServerHttpRequest request = exchange.getRequest();
        HttpHeaders headers = request.getHeaders();
        boolean fromProxy = proxies.trusts(TrustedProxies.peer(request));
        if (!fromProxy && !TrustedProxies.carriesForwarding(headers)) {
            return chain.filter(exchange);
        }
        ServerHttpRequest.Builder cleaned = proxies.believed(request);
        if (fromProxy && "https".equalsIgnoreCase(lastValue(headers.get("X-Forwarded-Proto"))) && !"https".equals(request.getURI().getScheme())) {
            cleaned.uri(UriComponentsBuilder.fromUri(request.getURI()).scheme("https").port(-1).build(true).toUri());
        }
        return chain.filter(exchange.mutate().request(cleaned.build()).build());
    }

    /** The value the nearest proxy wrote. */
    private static String lastValue(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        String last = values.getLast();
        int comma = last.lastIndexOf(',');
        return (comma < 0 ? last : last.substring(comma + 1)).trim();
    }
}
