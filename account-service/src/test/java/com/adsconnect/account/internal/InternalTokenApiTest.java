package com.adsconnect.account.internal;

import static com.adsconnect.account.support.AmazonConnect.connect;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.Internal;
import com.adsconnect.account.support.TestApiKeys;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

@AccountServiceTest
@TestPropertySource(properties = "token-vault.urgent-wait=2s")
class InternalTokenApiTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    Api api;
    Db db;
    Internal internal;

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
        internal = new Internal(web);
    }

    @Test
    void refusesMissingWrongRevokedAndUnderScopedKeys() {
        Map<String, Object> body = Map.of("userId", "user_x", "connectionId", "00000000-0000-0000-0000-000000000000");
        web.post().uri("/internal/v1/tokens").contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange()
                .expectStatus().isUnauthorized()
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/unauthorized")
                .jsonPath("$.detail").isEqualTo("A valid service API key is required.");
        internal.token("not-a-key-at-all", body).expectStatus().isUnauthorized();
        internal.token(TestApiKeys.REVOKED, body).expectStatus().isUnauthorized();
        web.post().uri("/internal/v1/tokens").headers(h -> h.setBearerAuth(infrastructure.clerk().sessionToken("user_x")))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange().expectStatus().isUnauthorized();
        internal.token(TestApiKeys.REFRESHER, body).expectStatus().isForbidden()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/forbidden");
        web.post().uri("/internal/v1/refresh/leases").header("X-Api-Key", TestApiKeys.READER)
                .contentType(MediaType.APPLICATION_JSON).bodyValue(Map.of("connectionId", "00000000-0000-0000-0000-000000000000", "generation", 1))
                .exchange().expectStatus().isForbidden();
        // both keys of a rotation work, in both header forms
        internal.token(TestApiKeys.READER, body).expectStatus().isNotFound();
        web.post().uri("/internal/v1/tokens").headers(h -> h.setBearerAuth(TestApiKeys.READER_ROTATED))
                .contentType(MediaType.APPLICATION_JSON).bodyValue(body).exchange().expectStatus().isNotFound();
    }

    @Test
    void returnsAWorkingTokenWithEverythingTheAdsApiNeeds() throws Exception {
        Map<String, Object> connection = connect(api.as("user_tokens"), "NA");
        String id = (String) connection.get("id");
        @SuppressWarnings("unchecked")
        String profileId = (String) ((List<Map<String, Object>>) connection.get("profiles")).getFirst().get("profileId");

        Map<?, ?> token = internal.token(TestApiKeys.READER, Map.of("userId", "user_tokens", "connectionId", id))
                .expectStatus().isOk()
                .expectHeader().cacheControl(org.springframework.http.CacheControl.noStore())
                .expectBody(Map.class).returnResult().getResponseBody();
        assertThat(token.get("region")).isEqualTo("NA");
        assertThat(token.get("clientId")).isEqualTo(com.adsconnect.devinfra.amazon.SandboxAmazon.CLIENT_ID);
        assertThat((String) token.get("apiBaseUrl")).isEqualTo(infrastructure.amazon().baseUrl() + "/na");
        assertThat(Instant.parse((String) token.get("expiresAt"))).isAfter(Instant.now().plusSeconds(60));
        // the token works against the (sandbox) Ads API with the headers internal services will send
        HttpResponse<String> profiles = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(token.get("apiBaseUrl") + "/v2/profiles"))
                .header("Authorization", "Bearer " + token.get("accessToken"))
                .header("Amazon-Advertising-API-ClientId", (String) token.get("clientId")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(profiles.statusCode()).isEqualTo(200);

        internal.token(TestApiKeys.READER, Map.of("userId", "user_tokens", "profileId", profileId)).expectStatus().isOk()
                .expectBody().jsonPath("$.connectionId").isEqualTo(id).jsonPath("$.profileId").isEqualTo(profileId);
        // another user's connection or profile is not found
        internal.token(TestApiKeys.READER, Map.of("userId", "user_other", "connectionId", id)).expectStatus().isNotFound();
        internal.token(TestApiKeys.READER, Map.of("userId", "user_other", "profileId", profileId)).expectStatus().isNotFound();
    }

    @Test
    void badRequestsName400Fields() {
        internal.token(TestApiKeys.READER, Map.of("connectionId", "00000000-0000-0000-0000-000000000000")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("userId");
        internal.token(TestApiKeys.READER, Map.of("userId", "u")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("connectionId");
        internal.token(TestApiKeys.READER, Map.of("userId", "u", "profileId", "x1")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.errors[0].field").isEqualTo("profileId");
    }

    @Test
    void reauthRequiredAndDisconnectedAnswer409WithTheStatus() {
        WebTestClient user = api.as("user_409");
        String id = (String) connect(user, "EU").get("id");
        db.execute("UPDATE connections SET status = 'REAUTH_REQUIRED' WHERE id = ?::uuid", id);
        internal.token(TestApiKeys.READER, Map.of("userId", "user_409", "connectionId", id)).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.status").isEqualTo(409).jsonPath("$.connectionStatus").isEqualTo("REAUTH_REQUIRED")
                .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/connection-not-usable");

        db.execute("UPDATE connections SET status = 'ACTIVE' WHERE id = ?::uuid", id);
        user.delete().uri("/api/v1/amazon/connections/" + id).exchange().expectStatus().isOk();
        internal.token(TestApiKeys.READER, Map.of("userId", "user_409", "connectionId", id)).expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.status").isEqualTo(409).jsonPath("$.connectionStatus").isEqualTo("DISCONNECTED");
    }

    @Test
    void tokenRequestsDoNotCutShortTheBackoffOfAFailingConnection() {
        String id = (String) connect(api.as("user_backoff"), "NA").get("id");
        db.execute("""
                UPDATE connections SET status = 'REFRESH_FAILING', refresh_failures = 3, last_error_code = 'server_error',
                    access_token_expires_at = now() - interval '1 minute', next_refresh_at = now() + interval '10 minutes'
                WHERE id = ?::uuid""", id);
        String before = db.string("SELECT lease_generation || '/' || next_refresh_at FROM connections WHERE id = ?::uuid", id);
        for (int i = 0; i < 5; i++) {
            String retryAfter = internal.token(TestApiKeys.READER, Map.of("userId", "user_backoff", "connectionId", id))
                    .expectStatus().isEqualTo(503)
                    .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/token-not-ready")
                    .jsonPath("$.status").isEqualTo(503).jsonPath("$.connectionStatus").isEqualTo("REFRESH_FAILING")
                    .jsonPath("$.accessToken").doesNotExist()
                    .returnResult().getResponseHeaders().getFirst("Retry-After");
            assertThat(Long.parseLong(retryAfter)).as("seconds until the backoff ends").isBetween(590L, 600L);
        }

        assertThat(db.string("SELECT lease_generation || '/' || next_refresh_at FROM connections WHERE id = ?::uuid", id))
                .as("no claim (a claim bumps the generation), and the backoff untouched").isEqualTo(before);
    }

    @Test
    void aTokenNearExpiryIsNeverHandedOutWithoutARefresh() {
        String id = (String) connect(api.as("user_urgent"), "NA").get("id");
        db.execute("UPDATE connections SET access_token_expires_at = now() + interval '30 seconds' WHERE id = ?::uuid", id);

        // nobody refreshes: 503 with Retry-After after the bounded wait, and an urgent refresh was requested
        long started = System.nanoTime();
        internal.token(TestApiKeys.READER, Map.of("userId", "user_urgent", "connectionId", id))
                .expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "5")
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/token-not-ready")
                .jsonPath("$.accessToken").doesNotExist();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(1900), Duration.ofSeconds(5));
        // an urgent refresh was claimed (its token-expiring event went to the outbox with the claim)
        long firstGeneration = db.count("SELECT lease_generation FROM connections WHERE id = ?::uuid", id);
        assertThat(firstGeneration).isEqualTo(1);

        // the lease expires; a new request claims again, and this time a refresher answers while it waits
        db.execute("UPDATE connections SET lease_expires_at = now() - interval '1 second' WHERE id = ?::uuid", id);
        CompletableFuture<Map<?, ?>> waiting = CompletableFuture.supplyAsync(() -> internal.token(TestApiKeys.READER,
                        Map.of("userId", "user_urgent", "connectionId", id))
                .expectStatus().isOk().expectBody(Map.class).returnResult().getResponseBody());
        Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> db.count(
                "SELECT count(*) FROM connections WHERE id = ?::uuid AND lease_generation > ? AND lease_expires_at > now()",
                id, firstGeneration) == 1);
        long generation = db.count("SELECT lease_generation FROM connections WHERE id = ?::uuid", id);
        internal.lease(id, generation).expectStatus().isOk();
        internal.report(Internal.success(id, generation, "Atza|refreshed-by-test")).expectStatus().isOk()
                .expectBody().jsonPath("$.applied").isEqualTo(true);

        Map<?, ?> token = waiting.join();
        assertThat(token.get("accessToken")).isEqualTo("Atza|refreshed-by-test");
        assertThat(Instant.parse((String) token.get("expiresAt"))).isAfter(Instant.now().plusSeconds(3000));
    }
}
