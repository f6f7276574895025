package com.adsconnect.gateway.correlation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

class RequestIdFilterTest {

    private final RequestIdFilter filter = new RequestIdFilter();

    @Test
    void aNewIdIsARandomVersion4UuidInItsCanonicalForm() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIdFilter.newId();
            UUID uuid = UUID.fromString(id);
            assertThat(uuid.version()).isEqualTo(4);
            // RFC 9562's variant: the two top bits of the clock-sequence octet are 10
            assertThat(uuid.variant()).isEqualTo(2);
            assertThat(uuid.toString()).isEqualTo(id).hasSize(36);
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
    }

    @Test
    void aPlausibleIdOfTheCallerIsKeptAndSentOnBothWays() {
        ServerWebExchange forwarded = pass(MockServerHttpRequest.get("/api/v1/me").header("X-Request-Id", "caller-chosen-id-1"));
        assertThat(forwarded.getRequest().getHeaders().getFirst("X-Request-Id")).isEqualTo("caller-chosen-id-1");
        assertThat(forwarded.getResponse().getHeaders().getFirst("X-Request-Id")).isEqualTo("caller-chosen-id-1");
    }

    @Test
    void anImplausibleIdIsReplacedByANewOne() {
        ServerWebExchange forwarded = pass(MockServerHttpRequest.get("/api/v1/me").header("X-Request-Id", "not a plausible id!"));
        String id = forwarded.getRequest().getHeaders().getFirst("X-Request-Id");
        assertThat(UUID.fromString(id).version()).isEqualTo(4);
        assertThat(forwarded.getResponse().getHeaders().getFirst("X-Request-Id")).isEqualTo(id);
    }

    private ServerWebExchange pass(MockServerHttpRequest.BaseBuilder<?> request) {
        MockServerWebExchange exchange = MockServerWebExchange.from(request);
        ServerWebExchange[] seen = new ServerWebExchange[1];
        filter.filter(exchange, next -> {
            seen[0] = next;
            return Mono.empty();
        }).block();
        return seen[0];
    }
}
