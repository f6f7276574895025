package com.adsconnect.gateway.routing;

import static com.adsconnect.testsupport.Infrastructure.CLERK;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.testsupport.RealInfrastructure;
import com.adsconnect.testsupport.TestInfrastructure;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What the gateway never forwards, and how it answers when account-service is not there: a
 * closed port, so every attempt is a refused connection.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"gateway.account-service-url=http://127.0.0.1:9", "gateway.circuit-breaker.minimum-calls=4",
                "gateway.circuit-breaker.sliding-window-size=4", "gateway.circuit-breaker.open-for=30s"})
@AutoConfigureWebTestClient
@RealInfrastructure(CLERK)
class GatewayRoutesTest {

    @Autowired
    WebTestClient web;

    @Autowired
    CircuitBreakerRegistry breakers;

    @BeforeEach
    void closeTheBreaker() {
        breakers.circuitBreaker(RoutesConfiguration.BREAKER).reset();
    }

    @Test
    void internalEndpointsHaveNoRoute() {
        web.post().uri("/internal/v1/tokens").bodyValue("{}").exchange().expectStatus().isNotFound();
        web.get().uri("/internal/anything").exchange().expectStatus().isNotFound();
    }

    @Test
    void unknownPathsHaveNoRoute() {
        web.get().uri("/admin").exchange().expectStatus().isNotFound();
        web.get().uri("/apiv1/me").exchange().expectStatus().isNotFound();
    }

    @Test
    void unknownPathsAnswerProblemDetailsWithARequestId() {
        web.get().uri("/nothing-here").exchange()
                .expectStatus().isNotFound()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().exists("X-Request-Id")
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/not-found");
    }

    @Test
    void anUnreachableBackendAnswers503QuicklyWithoutDetails() {
        long started = System.nanoTime();
        asUser().header("X-Request-Id", "caller-chosen-id-1").exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "5")
                .expectHeader().valueEquals("X-Request-Id", "caller-chosen-id-1")
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/service-unavailable")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).doesNotContain("127.0.0.1").doesNotContain(":9"));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void sustainedFailuresOpenTheBreakerSoLaterRequestsDoNotEvenTry() {
        CircuitBreaker breaker = breakers.circuitBreaker(RoutesConfiguration.BREAKER);
        for (int i = 0; i < 4; i++) {
            asUser().exchange().expectStatus().isEqualTo(503);
        }
        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.OPEN);
        long refusedBefore = breaker.getMetrics().getNumberOfNotPermittedCalls();
        asUser().exchange()
                .expectStatus().isEqualTo(503)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/service-unavailable");
        assertThat(breaker.getMetrics().getNumberOfNotPermittedCalls()).isEqualTo(refusedBefore + 1);
    }

    @Test
    void probesAnswerWithoutAnyBackend() {
        web.get().uri("/actuator/health/liveness").exchange().expectStatus().isOk();
        web.get().uri("/actuator/health/readiness").exchange().expectStatus().isOk();
    }

    @Test
    void theServerDoesNotAnnounceItself() {
        web.get().uri("/actuator/health/liveness").exchange().expectHeader().doesNotExist("Server");
    }

    private WebTestClient.RequestHeadersSpec<?> asUser() {
        return web.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(TestInfrastructure.clerk().sessionToken("user_routes")));
    }
}
