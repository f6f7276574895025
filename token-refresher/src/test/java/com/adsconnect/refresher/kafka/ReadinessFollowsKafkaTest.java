package com.adsconnect.refresher.kafka;

import static com.adsconnect.testsupport.Infrastructure.KAFKA;
import static org.assertj.core.api.Assertions.assertThat;
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

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "account-service.api-key=unused-in-this-test", "amazon.client-id=unused", "amazon.client-secret=unused"})
@AutoConfigureWebTestClient
@RealInfrastructure(KAFKA)
class ReadinessFollowsKafkaTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    @AfterEach
    void restartBroker() {
        infrastructure.kafka().start();
    }

    @Test
    void readinessGoesDownWithoutKafkaAndUpWhenItReturnsWhileLivenessStaysUp() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> expectReadiness(200, "UP"));

        infrastructure.kafka().stop();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> expectReadiness(503, "OUT_OF_SERVICE", "DOWN"));
        expectLiveness();

        infrastructure.kafka().start();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> expectReadiness(200, "UP"));
        expectLiveness();
    }

    private void expectReadiness(int status, String... acceptedStates) {
        web.get().uri("/actuator/health/readiness").exchange()
                .expectStatus().isEqualTo(status)
                .expectBody().jsonPath("$.status").value(state -> assertThat(state).isIn((Object[]) acceptedStates));
    }

    private void expectLiveness() {
        web.get().uri("/actuator/health/liveness").exchange()
                .expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("UP");
    }
}
