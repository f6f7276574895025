package com.adsconnect.account.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/** Only the gateway says who the client is; anyone else's forwarding headers are removed unread. */
class ForwardedClientFilterTest {

    private final ForwardedClientFilter filter = new ForwardedClientFilter(new ForwardedProperties(List.of("10.20.0.0/16")));

    @Test
    void theGatewaysForwardedAddressIsTheOrigin() {
        ServerWebExchange seen = pass(MockServerHttpRequest.get("/api/v1/me")
                .remoteAddress(new InetSocketAddress("10.20.3.4", 41000))
                .header("X-Forwarded-For", "203.0.113.7").header("X-Forwarded-Proto", "https"));
        assertThat(RequestOrigin.of(seen.getRequest()).sourceIp()).isEqualTo("203.0.113.7");
        assertThat(seen.getRequest().getHeaders().containsHeader("X-Forwarded-For")).isFalse();
    }

    @Test
    void anotherCallersForwardingHeadersAreIgnoredAndRemoved() {
        ServerWebExchange seen = pass(MockServerHttpRequest.post("/api/v1/me/preferences")
                .remoteAddress(new InetSocketAddress("10.30.0.8", 41000))
                .header("X-Forwarded-For", "198.51.100.66").header("Forwarded", "for=198.51.100.77").header("X-Real-IP", "1.1.1.1"));
        assertThat(RequestOrigin.of(seen.getRequest()).sourceIp()).isEqualTo("10.30.0.8");
        assertThat(seen.getRequest().getHeaders().headerNames()).doesNotContain("X-Forwarded-For", "Forwarded", "X-Real-IP");
    }

    @Test
    void aRequestWithoutForwardingHeadersIsTheSameRequest() {
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/api/v1/me")
                .remoteAddress(new InetSocketAddress("10.20.3.4", 41000)));
        AtomicReference<ServerWebExchange> seen = new AtomicReference<>();
        filter.filter(exchange, passed -> {
            seen.set(passed);
            return Mono.empty();
        }).block();
        assertThat(seen.get()).isSameAs(exchange);
        assertThat(RequestOrigin.of(seen.get().getRequest()).sourceIp()).isEqualTo("10.20.3.4");
    }

    private ServerWebExchange pass(MockServerHttpRequest.BaseBuilder<?> request) {
        AtomicReference<ServerWebExchange> seen = new AtomicReference<>();
        filter.filter(MockServerWebExchange.from(request), passed -> {
            seen.set(passed);
            return Mono.empty();
        }).block();
        return seen.get();
    }
}
