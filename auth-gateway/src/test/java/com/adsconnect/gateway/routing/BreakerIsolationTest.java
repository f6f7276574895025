package com.adsconnect.gateway.routing;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.gateway.support.GatewayTestBase;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;

/**
 * Anonymous traffic cannot open the breaker the signed-in users' API depends on: the gateway's
 * own refusals are no backend failure, and the webhooks have a breaker of their own.
 */
@TestPropertySource(properties = {"gateway.circuit-breaker.minimum-calls=4", "gateway.circuit-breaker.sliding-window-size=4",
        "gateway.circuit-breaker.open-for=60s"})
class BreakerIsolationTest extends GatewayTestBase {

    @Autowired
    CircuitBreakerRegistry breakers;

    @Test
    void oversizedStreamedUploadsToTheWebhookLeaveEveryBreakerClosedAndTheApiServing() {
        for (int i = 0; i < 12; i++) {
            // no Content-Length: refused while streaming, after the route was chosen
            web.post().uri("/webhooks/clerk").contentType(MediaType.APPLICATION_JSON)
                    .body(BodyInserters.fromDataBuffers(Flux.range(0, 300)
                            .map(chunk -> DefaultDataBufferFactory.sharedInstance.wrap(new byte[1024]))))
                    .exchange()
                    .expectStatus().isEqualTo(413)
                    .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/payload-too-large");
        }

        CircuitBreaker api = breakers.circuitBreaker(RoutesConfiguration.BREAKER);
        CircuitBreaker webhooks = breakers.circuitBreaker(RoutesConfiguration.WEBHOOK_BREAKER);
        assertThat(webhooks.getMetrics().getNumberOfFailedCalls()).as("the gateway's own refusals").isZero();
        assertThat(webhooks.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(api.getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        getAs("user_gw_breaker_isolation", "/api/v1/me").exchange().expectStatus().isOk();
    }

    @Test
    void onlyTheBackendsFailuresCount() {
        assertThat(RoutesConfiguration.backendFailure(new java.net.ConnectException("Connection refused"))).isTrue();
        assertThat(RoutesConfiguration.backendFailure(new org.springframework.web.server.ResponseStatusException(
                org.springframework.http.HttpStatus.GATEWAY_TIMEOUT, "Response took longer than timeout",
                new java.util.concurrent.TimeoutException()))).as("the backend's response timeout").isTrue();
        assertThat(RoutesConfiguration.backendFailure(new DownstreamResilienceFilter.ExchangeTimeLimitExceeded(java.time.Duration.ofSeconds(12))))
                .as("the whole exchange's limit, a slow upload included").isFalse();
        assertThat(RoutesConfiguration.backendFailure(new org.springframework.web.server.ResponseStatusException(
                org.springframework.http.HttpStatus.PAYLOAD_TOO_LARGE))).isFalse();
    }
}
