package com.adsconnect.gateway.forwarding;

import com.adsconnect.forwarded.TrustedProxies;
import java.net.InetSocketAddress;
import org.springframework.cloud.gateway.filter.headers.HttpHeadersFilter;
import org.springframework.core.Ordered;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ServerWebExchange;

/**
 * Tells account-service who the client is, in one {@code X-Forwarded-For} value (the address
 * {@link ClientAddressFilter} settled on) and {@code X-Forwarded-Proto}, and drops every other
 * forwarding header the caller sent ({@link TrustedProxies#FORWARDING_HEADERS}): the backend hears
 * about forwarding from the gateway only. Spring Cloud Gateway's own forwarding filters are off
 * (they would add and then remove the same headers, copying them twice per request).
 */
@Component
class ClientAddressToBackend implements HttpHeadersFilter, Ordered {

    @Override
    public HttpHeaders filter(HttpHeaders input, ServerWebExchange exchange) {
        HttpHeaders headers = new HttpHeaders();
        headers.putAll(input);
        // ClientAddressFilter removed them from the request already; the backend's copy is cleaned here as well
        TrustedProxies.FORWARDING_HEADERS.forEach(headers::remove);
        InetSocketAddress client = exchange.getRequest().getRemoteAddress();
        if (client != null && client.getAddress() != null) {
            headers.set("X-Forwarded-For", client.getAddress().getHostAddress());
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
