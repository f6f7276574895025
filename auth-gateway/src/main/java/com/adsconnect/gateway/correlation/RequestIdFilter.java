package com.adsconnect.gateway.correlation;

import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;
import reactor.core.publisher.Mono;

/**
 * Every request gets an {@code X-Request-Id}: the caller's when it is a plausible id, else a new
 * one. It goes downstream with the request and back to the caller on every answer, errors
 * included, next to the W3C trace context that Micrometer Tracing propagates.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter implements WebFilter {

    static final String HEADER = "X-Request-Id";
    private static final Pattern PLAUSIBLE = Pattern.compile("[A-Za-z0-9._-]{8,64}");

    @Override
    public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
        String given = exchange.getRequest().getHeaders().getFirst(HEADER);
        String id = given != null && PLAUSIBLE.matcher(given).matches() ? given : UUID.randomUUID().toString();
        ServerWebExchange withId = exchange.mutate().request(r -> r.headers(h -> h.set(HEADER, id))).build();
        withId.getResponse().getHeaders().set(HEADER, id);
        return chain.filter(withId);
    }
}
