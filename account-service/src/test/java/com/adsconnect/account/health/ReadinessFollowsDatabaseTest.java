package com.adsconnect.account.health;

import com.adsconnect.account.support.AccountServiceTest;
import static com.adsconnect.testsupport.Infrastructure.AMAZON;
import static com.adsconnect.testsupport.Infrastructure.CLERK;
import static com.adsconnect.testsupport.Infrastructure.KAFKA;
import static com.adsconnect.testsupport.Infrastructure.POSTGRES;
import static org.awaitility.Awaitility.await;

import com.adsconnect.testsupport.RealInfrastructure;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.web.reactive.server.WebTestClient;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "token-vault.keyset-file=" + AccountServiceTest.TEST_KEYSET)
@AutoConfigureWebTestClient
@RealInfrastructure(value = {POSTGRES, KAFKA, CLERK, AMAZON}, postgresProxy = true)
class ReadinessFollowsDatabaseTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @AfterEach
    void restore() {
        infrastructure.restorePostgres();
    }

    @Test
    void readinessGoesDownWithoutPostgresAndUpWhenItReturnsWhileLivenessStaysUp() {
        expectReadiness(200, "UP");

        infrastructure.cutPostgres();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> expectReadiness(503, "OUT_OF_SERVICE", "DOWN"));
        expectLiveness(200);

        infrastructure.restorePostgres();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> expectReadiness(200, "UP"));
        expectLiveness(200);
    }

    @Test
    void requestsWhileTheDatabaseIsAwayGet503ProblemsToRetry() {
        String token = infrastructure.clerk().sessionToken("user_db_away");
        web.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(token)).exchange().expectStatus().isOk();

        infrastructure.cutPostgres();
        web.mutate().responseTimeout(Duration.ofSeconds(30)).build()
                .get().uri("/api/v1/me").headers(h -> h.setBearerAuth(token)).exchange()
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "5")
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/service-unavailable");

        infrastructure.restorePostgres();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                web.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(token)).exchange().expectStatus().isOk());
    }

    private void expectReadiness(int status, String... acceptedStates) {
        web.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isEqualTo(status)
                .expectBody().jsonPath("$.status").value(state -> org.assertj.core.api.Assertions
                        .assertThat(state).isIn((Object[]) acceptedStates));
    }

    private void expectLiveness(int status) {
        web.get().uri("/actuator/health/liveness").exchange()
                .expectStatus().isEqualTo(status)
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }
}
