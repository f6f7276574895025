package com.adsconnect.gateway.routing;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * What the gateway must never forward. Routing of /api and /webhooks to a real account-service
 * is covered end to end by LocalStackIT.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "gateway.account-service-url=http://127.0.0.1:9")
@AutoConfigureWebTestClient
class GatewayRoutesTest {

    @Autowired
    WebTestClient web;

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
        web.get().uri("/api/v1/me").header("X-Request-Id", "caller-chosen-id-1").exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "5")
                .expectHeader().valueEquals("X-Request-Id", "caller-chosen-id-1")
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/service-unavailable")
                .jsonPath("$.detail").value(detail -> org.assertj.core.api.Assertions.assertThat((String) detail)
                        .doesNotContain("127.0.0.1").doesNotContain(":9"));
        org.assertj.core.api.Assertions.assertThat(java.time.Duration.ofNanos(System.nanoTime() - started))
                .isLessThan(java.time.Duration.ofSeconds(3));
    }

    @Test
    void implausibleRequestIdsAreReplaced() {
        web.get().uri("/nothing-here").header("X-Request-Id", "bad id with spaces").exchange()
                .expectHeader().value("X-Request-Id", id -> org.assertj.core.api.Assertions.assertThat(id)
                        .matches("[0-9a-f-]{36}"));
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
}
