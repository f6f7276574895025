package com.adsconnect.gateway.forwarding;

import java.net.InetSocketAddress;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Tells account-service who the client is, in one {@code X-Forwarded-For} value (the address
 * {@link ClientAddressFilter} settled on) and {@code X-Forwarded-Proto}. Runs after Spring Cloud
 * Gateway's own header filters, which remove every {@code X-Forwarded-*} and {@code Forwarded}
 * header while no trusted proxy is configured for them.
 */
@Component
class ClientAddressToBackend implements HttpHeadersFilter, Ordered {

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        HttpHeaders headers = new HttpHeaders();
        headers.putAll(input);
        InetSocketAddress client = exchange.getRequest().getRemoteAddress();
        if (client != null && client.getAddress() != null) {
            headers.set("X-Forwarded-For", client.getAddress().getHostAddress());
        } else {
            headers.remove("X-Forwarded-For");
        }
        headers.set("X-Forwarded-Proto", exchange.getRequest().getURI().getScheme());
        return headers;
    }

    @Override
    public boolean supports(Type type) {
        return type == Type.REQUEST;
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
