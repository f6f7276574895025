package com.adsconnect.clerk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.web.server.authentication.ServerBearerTokenAuthenticationConverter;
import reactor.core.publisher.Mono;

/** The fast bearer-token reader answers every request exactly as Spring Security's converter does. */
class BearerTokensTest {

    private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl-_~+/";

    @Test
    void everyRequestGetsSpringsAnswerTokenOrError() {
        List<MockServerHttpRequest.BaseBuilder<?>> requests = new ArrayList<>(List.of(
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "Bearer " + TOKEN),
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "bearer " + TOKEN),
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "BEARER " + TOKEN + "=="),
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "Bearer  " + TOKEN),
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "Bearer " + TOKEN + " "),
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "Bearer " + TOKEN + "\"x"),
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "Bearer =="),
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "Bearer "),
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "Bearer"),
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "Bearertoken"),
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "Basic dXNlcjpwYXNz"),
                MockServerHttpRequest.get("/api/v1/me").header("Authorization", "Bearer a=b"),
                MockServerHttpRequest.get("/api/v1/me?access_token=" + TOKEN).header("Authorization", "Bearer " + TOKEN),
                MockServerHttpRequest.get("/api/v1/me?access_token=" + TOKEN),
                MockServerHttpRequest.get("/api/v1/me")));

        for (MockServerHttpRequest.BaseBuilder<?> request : requests) {
            String described = request.build().getHeaders().getFirst("Authorization") + " " + request.build().getURI();
            assertThat(outcome(new BearerTokens().convert(MockServerWebExchange.from(request))))
                    .as(described)
                    .isEqualTo(outcome(new ServerBearerTokenAuthenticationConverter().convert(MockServerWebExchange.from(request))));
        }
        assertThat(outcome(new BearerTokens().convert(MockServerWebExchange.from(requests.getFirst())))).isEqualTo("token " + TOKEN);
    }

    private static String outcome(Mono<Authentication> converted) {
        try {
            Authentication found = converted.block();
            return found == null ? "none" : "token " + ((BearerTokenAuthenticationToken) found).getToken();
        } catch (RuntimeException error) {
            return "error " + error.getClass().getSimpleName() + ": " + error.getMessage();
        }
    }
}
