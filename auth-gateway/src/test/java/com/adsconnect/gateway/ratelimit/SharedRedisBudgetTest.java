package com.adsconnect.gateway.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.gateway.AuthGatewayApplication;
import com.adsconnect.gateway.support.GatewayTestBase;
import com.adsconnect.devinfra.net.TcpProxy;
import com.adsconnect.testsupport.TestInfrastructure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Several gateway replicas on one Redis share each user's budget; when Redis stops answering,
 * {@code rate-limit.redis.on-failure} decides (local buckets, no limit, or 503). Redis is reached
 * through a TCP proxy the test can cut.
 */
class SharedRedisBudgetTest extends GatewayTestBase {

    private static final String PREFIX = "t" + UUID.randomUUID().toString().substring(0, 8) + ":";
    private static final TcpProxy redisProxy = TcpProxy.start(TestInfrastructure.redis().host(), TestInfrastructure.redis().port());
    private static final List<ConfigurableApplicationContext> replicas = new ArrayList<>();

    @DynamicPropertySource
    static void sharedRedis(DynamicPropertyRegistry registry) {
        properties().forEach(property -> {
            int eq = property.indexOf('=');
            registry.add(property.substring(0, eq), () -> property.substring(eq + 1));
        });
    }

    private static List<String> properties() {
        return List.of("rate-limit.backend=redis", "rate-limit.redis.key-prefix=" + PREFIX,
                "rate-limit.redis.url=redis://" + redisProxy.host() + ":" + redisProxy.port(),
                "rate-limit.plans.default.capacity=6", "rate-limit.plans.default.period=1m");
    }

    /** Another gateway replica, as its own application on its own port, with the same settings. */
    private static WebTestClient replica(String... extra) {
        List<String> args = new ArrayList<>(List.of("--server.port=0",
                "--gateway.account-service-url=" + backend().url(),
                "--clerk.issuer=" + clerk().issuer(), "--clerk.jwks-url=" + clerk().jwksUrl(),
                "--clerk.authorized-parties=" + FRONT_END, "--management.server.port=-1"));
        properties().forEach(p -> args.add("--" + p));
        for (String e : extra) {
            args.add("--" + e);
        }
        ConfigurableApplicationContext context = new SpringApplicationBuilder(AuthGatewayApplication.class).run(args.toArray(String[]::new));
        replicas.add(context);
        String port = context.getEnvironment().getProperty("local.server.port");
        return WebTestClient.bindToServer().baseUrl("http://127.0.0.1:" + port).build();
    }

    @AfterAll
    static void stopReplicas() {
        redisProxy.restore();
        replicas.forEach(ConfigurableApplicationContext::close);
        redisProxy.close();
    }

    @Test
    void twoReplicasShareOneBudgetPerUser() {
        WebTestClient second = replica();
        String user = "user_shared_" + UUID.randomUUID();
        String token = clerk().sessionToken(user);
        for (int i = 0; i < 3; i++) {
            web.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(token)).exchange().expectStatus().isOk();
            second.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(token)).exchange().expectStatus().isOk();
        }
        web.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(token)).exchange().expectStatus().isEqualTo(429);
        second.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(token)).exchange()
                .expectStatus().isEqualTo(429)
                .expectHeader().value("RateLimit", value -> assertThat(value).startsWith("\"default\";r=0;"));
    }

    @Test
    void withRedisDownEachFailureModeDoesWhatItSays() throws InterruptedException {
        WebTestClient open = replica("rate-limit.redis.on-failure=open");
        WebTestClient closed = replica("rate-limit.redis.on-failure=closed");
        String token = clerk().sessionToken("user_outage_" + UUID.randomUUID());
        redisProxy.cut();
        try {
            // local (the default): this replica's own buckets keep the budget
            for (int i = 0; i < 6; i++) {
                web.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(token)).exchange().expectStatus().isOk();
            }
            web.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(token)).exchange().expectStatus().isEqualTo(429);
            // open: no limit at all while Redis is away
            for (int i = 0; i < 8; i++) {
                open.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(token)).exchange().expectStatus().isOk();
            }
            // closed: nothing passes unchecked
            closed.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(token)).exchange()
                    .expectStatus().isEqualTo(503)
                    .expectHeader().exists("Retry-After")
                    .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/service-unavailable");
        } finally {
            redisProxy.restore();
        }
        // back by itself once Redis is: Lettuce reconnects within its 2 s backoff cap
        String fresh = clerk().sessionToken("user_after_outage_" + UUID.randomUUID());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int status;
        do {
            Thread.sleep(200);
            status = closed.get().uri("/api/v1/me").headers(h -> h.setBearerAuth(fresh)).exchange()
                    .returnResult(String.class).getStatus().value();
        } while (status != 200 && System.nanoTime() < deadline);
        assertThat(status).as("the closed replica after Redis came back").isEqualTo(200);
    }
}
