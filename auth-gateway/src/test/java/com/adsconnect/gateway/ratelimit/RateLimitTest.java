package com.adsconnect.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.gateway.support.GatewayTestBase;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;

/** Per-user budgets in this instance's memory: the default plan, a tighter plan for one route, and the webhook by address. */
@TestPropertySource(properties = {"rate-limit.backend=local",
        "rate-limit.plans.default.capacity=4", "rate-limit.plans.default.period=4s",
        "rate-limit.plans.connect.capacity=2", "rate-limit.plans.connect.period=1m",
        "rate-limit.plans.webhooks.capacity=3", "rate-limit.plans.webhooks.period=1m"})
class RateLimitTest extends GatewayTestBase {

    @Autowired
    MeterRegistry meters;

    @Test
    void aBurstAboveTheBudgetGets429WithRetryAfterAndTheBudgetRefills() throws Exception {
        String user = "user_rl_" + UUID.randomUUID();
        for (int remaining = 3; remaining >= 0; remaining--) {
            int expected = remaining;
            getAs(user, "/api/v1/me").exchange()
                    .expectStatus().isOk()
                    .expectHeader().valueEquals("RateLimit-Policy", "\"default\";q=4;w=4")
                    .expectHeader().value("RateLimit", value -> assertThat(value).startsWith("\"default\";r=" + expected + ";t="));
        }
        long before = backendRequestsSettled();
        double rejectionsBefore = meters.counter("gateway.rate_limit.rejections", "plan", "default").count();
        String retryAfter = getAs(user, "/api/v1/me").exchange()
                .expectStatus().isEqualTo(429)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectHeader().valueEquals("RateLimit-Policy", "\"default\";q=4;w=4")
                .expectHeader().value("RateLimit", value -> assertThat(value).matches("\"default\";r=0;t=[1-4]"))
                .expectBody()
                .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/rate-limited")
                .returnResult().getResponseHeaders().getFirst(HttpHeaders.RETRY_AFTER);
        assertThat(Long.parseLong(retryAfter)).isBetween(1L, 4L);
        assertThat(backendRequestsSettled()).as("a refused request reaches nothing").isEqualTo(before);
        assertThat(meters.counter("gateway.rate_limit.rejections", "plan", "default").count()).isEqualTo(rejectionsBefore + 1);

        Thread.sleep(Duration.ofSeconds(Long.parseLong(retryAfter)).plusMillis(100));
        getAs(user, "/api/v1/me").exchange().expectStatus().isOk();
    }

    @Test
    void eachUserHasItsOwnBudget() {
        String greedy = "user_rl_greedy_" + UUID.randomUUID();
        for (int i = 0; i < 4; i++) {
            getAs(greedy, "/api/v1/me").exchange().expectStatus().isOk();
        }
        getAs(greedy, "/api/v1/me").exchange().expectStatus().isEqualTo(429);
        getAs("user_rl_other_" + UUID.randomUUID(), "/api/v1/me").exchange().expectStatus().isOk();
    }

    @Test
    void startingConnectionsHasItsOwnTighterPlan() {
        String user = "user_rl_connect_" + UUID.randomUUID();
        for (int i = 0; i < 2; i++) {
            startConnection(user).expectStatus().isCreated().expectHeader().valueEquals("RateLimit-Policy", "\"connect\";q=2;w=60");
        }
        startConnection(user).expectStatus().isEqualTo(429)
                .expectHeader().value(HttpHeaders.RETRY_AFTER, value -> assertThat(Long.parseLong(value)).isBetween(1L, 60L));
        getAs(user, "/api/v1/me").exchange().expectStatus().isOk();
    }

    @Test
    void reauthorizingOpensStatesTooAndSharesTheConnectBudget() {
        String user = "user_rl_reauth_" + UUID.randomUUID();
        startConnection(user).expectStatus().isCreated();
        // an unknown connection is the backend's 404, but the request took from the connect budget all the same
        reauthorize(user).expectHeader().valueEquals("RateLimit-Policy", "\"connect\";q=2;w=60");
        reauthorize(user).expectStatus().isEqualTo(429)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/rate-limited");
        startConnection(user).expectStatus().isEqualTo(429);
        getAs(user, "/api/v1/me").exchange().expectStatus().isOk();
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec reauthorize(String user) {
        return web.post().uri("/api/v1/amazon/connections/" + UUID.randomUUID() + "/reauthorize")
                .headers(h -> h.setBearerAuth(clerk().sessionToken(user))).exchange();
    }

    @Test
    void theWebhookIsLimitedByClientAddressWhichForwardedHeadersCannotChange() {
        // no proxy is trusted here: a client that claims a fresh address in every request still spends one budget
        for (int i = 0; i < 3; i++) {
            postWebhook(i).expectStatus().isUnauthorized().expectHeader().valueEquals("RateLimit-Policy", "\"webhooks\";q=3;w=60");
        }
        postWebhook(3).expectStatus().isEqualTo(429);
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec startConnection(String user) {
        return web.post().uri("/api/v1/amazon/connections").headers(h -> h.setBearerAuth(clerk().sessionToken(user)))
                .contentType(MediaType.APPLICATION_JSON).bodyValue("{\"region\":\"EU\"}").exchange();
    }

    private org.springframework.test.web.reactive.server.WebTestClient.ResponseSpec postWebhook(int spoof) {
        return web.post().uri("/webhooks/clerk").contentType(MediaType.APPLICATION_JSON)
                .header("X-Forwarded-For", "198.51.100." + spoof).header("Forwarded", "for=192.0.2." + spoof)
                .header("X-Real-IP", "203.0.113." + spoof)
                .bodyValue("{}").exchange();
    }
}
