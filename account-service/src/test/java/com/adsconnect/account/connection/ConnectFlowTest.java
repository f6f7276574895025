package com.adsconnect.account.connection;

import static com.adsconnect.account.support.AmazonConnect.callback;
import static com.adsconnect.account.support.AmazonConnect.connect;
import static com.adsconnect.account.support.AmazonConnect.consent;
import static com.adsconnect.account.support.AmazonConnect.start;
import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.AmazonConnect.Redirect;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.amazon.SandboxAmazon.Endpoint;
import com.adsconnect.devinfra.amazon.SandboxAmazonAccount;
import com.adsconnect.devinfra.oauth.SandboxFault;
import com.adsconnect.devinfra.postgres.HeldTransaction;
import com.adsconnect.testsupport.TestInfrastructure;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.util.UriComponentsBuilder;

@AccountServiceTest
class ConnectFlowTest {

    @Autowired
    WebTestClient web;

    @Autowired
    TestInfrastructureHandle infrastructure;

    Api api;
    Db db;
    SandboxAmazon amazon;

    @BeforeEach
    void setUp() {
        api = new Api(web, infrastructure.clerk());
        db = new Db(infrastructure);
        amazon = infrastructure.amazon();
        amazon.reset();
    }

    @AfterEach
    void tearDown() {
        amazon.reset();
    }

    @Test
    void theAuthorizationUrlIsLoginWithAmazonsForTheRegion() {
        Map<String, Object> started = start(api.as("user_url"), "EU");

        var url = UriComponentsBuilder.fromUri(URI.create((String) started.get("authorizationUrl"))).build();
        assertThat(url.toUriString()).startsWith(amazon.baseUrl() + "/eu/ap/oa?");
        assertThat(url.getQueryParams().getFirst("client_id")).isEqualTo(SandboxAmazon.CLIENT_ID);
        assertThat(url.getQueryParams().getFirst("response_type")).isEqualTo("code");
        assertThat(decode(url.getQueryParams().getFirst("scope"))).isEqualTo("advertising::campaign_management");
        assertThat(decode(url.getQueryParams().getFirst("redirect_uri"))).isEqualTo(TestInfrastructure.AMAZON_REDIRECT_URI);
        assertThat(url.getQueryParams().getFirst("state")).isEqualTo(started.get("state"));
        assertThat(url.getQueryParams().getFirst("code_challenge")).matches("[A-Za-z0-9_-]{43}");
        assertThat(url.getQueryParams().getFirst("code_challenge_method")).isEqualTo("S256");
        assertThat(Instant.parse((String) started.get("expiresAt"))).isBetween(Instant.now().plusSeconds(590), Instant.now().plusSeconds(601));
        // only the hash of the state is stored
        assertThat(db.count("SELECT count(*) FROM oauth_states WHERE user_id = 'user_url'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM oauth_states WHERE encode(state_hash, 'escape') LIKE ?", "%" + started.get("state") + "%"))
                .isZero();
    }

    @Test
    void connectsAnAccountInNaAndOneInEuWithTheirProfiles() {
        WebTestClient user = api.as("user_connect");

        Map<String, Object> na = connect(user, "NA");
        Map<String, Object> eu = connect(user, "EU");

        assertThat(na).containsEntry("status", "ACTIVE").containsEntry("region", "NA").containsEntry("provider", "AMAZON");
        assertThat(profileCountries(na)).containsExactlyInAnyOrder("US", "CA");
        assertThat(profileCountries(eu)).containsExactlyInAnyOrder("UK", "DE");
        @SuppressWarnings("unchecked")
        Map<String, Object> health = (Map<String, Object>) na.get("health");
        assertThat(Instant.parse((String) health.get("accessTokenExpiresAt"))).isAfter(Instant.now().plus(Duration.ofMinutes(59)));
        assertThat(health.get("warning")).isNull();

        user.get().uri("/api/v1/amazon/connections").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.length()").isEqualTo(2)
                .jsonPath("$[0].profiles[0].accountId").isNotEmpty()
                .jsonPath("$[0].profiles[0].marketplaceId").isNotEmpty()
                .jsonPath("$[0].profiles[0].currencyCode").isNotEmpty()
                .jsonPath("$[0].profiles[0].accountName").isNotEmpty();
        user.get().uri("/api/v1/amazon/connections/" + eu.get("id")).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.region").isEqualTo("EU");
        user.get().uri("/api/v1/me").exchange().expectBody().jsonPath("$.connections.ACTIVE").isEqualTo(2)
                .jsonPath("$.connections.REAUTH_REQUIRED").isEqualTo(0);
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_connect' AND action = 'connection.connected'"))
                .isEqualTo(2);
    }

    @Test
    void connectingTheSameAmazonAccountAgainUpdatesTheConnection() {
        WebTestClient user = api.as("user_again");
        Map<String, Object> first = connect(user, "NA");
        Map<String, Object> second = connect(user, "NA");

        assertThat(second.get("id")).isEqualTo(first.get("id"));
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = 'user_again'")).isEqualTo(1);
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_again' AND action = 'connection.updated'")).isEqualTo(1);

        amazon.grantNext("NA", new SandboxAmazonAccount("A2OTHERACCOUNT", "Other", "vendor",
                List.of(new SandboxAmazonAccount.Profile(4_000_000_000_000_001L, "US", "USD", "America/New_York", "ATVPDKIKX0DER"))));
        Map<String, Object> other = connect(user, "NA");
        assertThat(other.get("id")).isNotEqualTo(first.get("id"));
    }

    @Test
    void aStateWorksOnceOnlyForItsUserAndOnlyUntilItExpires() {
        WebTestClient alice = api.as("user_state_a");
        WebTestClient mallory = api.as("user_state_m");
        Redirect redirect = consent((String) start(alice, "NA").get("authorizationUrl"));
        String before = snapshot();

        // another user cannot use it, and trying does not burn it
        stateRefused(callback(mallory, redirect));
        assertThat(snapshot()).isEqualTo(before);

        callback(alice, redirect).expectStatus().isOk();
        String afterConnect = snapshot();

        // a second use is refused, even by its owner
        Redirect again = new Redirect(consent((String) start(alice, "NA").get("authorizationUrl")).code(), redirect.state());
        stateRefused(callback(alice, again));

        // an expired state is refused
        Redirect late = consent((String) start(alice, "NA").get("authorizationUrl"));
        db.execute("UPDATE oauth_states SET expires_at = now() - interval '1 second' WHERE user_id = 'user_state_a' AND used_at IS NULL");
        stateRefused(callback(alice, late));

        // an unknown state is refused
        stateRefused(callback(alice, new Redirect(late.code(), "forged-state")));
        assertThat(snapshot()).isEqualTo(afterConnect);
    }

    @Test
    void everyAmazonErrorIsRefusedWithNothingStored() {
        WebTestClient user = api.as("user_amazon_errors");
        String before = snapshot();

        expectProblem(user, Endpoint.TOKEN, new SandboxFault.InvalidGrant(), 400, "provider-authorization-failed")
                .jsonPath("$.providerError").isEqualTo("invalid_grant");
        expectProblem(user, Endpoint.TOKEN, new SandboxFault.OAuthError(401, "invalid_client"), 502, "provider-unavailable");
        expectProblem(user, Endpoint.TOKEN, new SandboxFault.ServerError(503), 502, "provider-unavailable");
        expectProblem(user, Endpoint.TOKEN, new SandboxFault.MalformedBody(), 502, "provider-unavailable");
        expectProblem(user, Endpoint.PROFILES, new SandboxFault.ServerError(500), 502, "provider-unavailable");
        expectProblem(user, Endpoint.PROFILES, new SandboxFault.MalformedBody(), 502, "provider-unavailable");

        amazon.failNext(Endpoint.TOKEN, 1, new SandboxFault.RateLimited(Duration.ofSeconds(7)));
        Redirect redirect = consent((String) start(user, "NA").get("authorizationUrl"));
        callback(user, redirect).expectStatus().isEqualTo(503)
                .expectHeader().valueEquals("Retry-After", "7")
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/provider-rate-limited");

        assertThat(snapshot()).isEqualTo(before);
    }

    @Test
    void aCallbackThatFinishesAfterTheUserWasDeletedStoresNothing() throws Exception {
        WebTestClient user = api.as("user_deleted_midway");
        Redirect redirect = consent((String) start(user, "NA").get("authorizationUrl"));
        int status;
        try (HeldTransaction deletion = db.hold()) {
            // Clerk's user.deleted is being applied: the user marked deleted, its connections disconnected; not committed yet
            deletion.execute("UPDATE users SET deleted_at = now() WHERE id = 'user_deleted_midway'");
            deletion.execute("UPDATE connections SET status = 'DISCONNECTED' WHERE user_id = 'user_deleted_midway'");
            java.util.concurrent.CompletableFuture<Integer> answer = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> callback(user, redirect).returnResult(Void.class).getStatus().value());
            // the callback either waits for the deletion, or (the race) stores its connection meanwhile
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> answer.isDone() || db.waitsForLock("%FROM users WHERE id = $1 FOR SHARE%"));
            deletion.commit();
            status = answer.get(20, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(status).as("the user is gone").isEqualTo(410);
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = 'user_deleted_midway'")).isZero();
        assertThat(db.count("SELECT count(*) FROM connection_tokens t JOIN connections c ON c.id = t.connection_id "
                + "WHERE c.user_id = 'user_deleted_midway'")).isZero();
    }

    @Test
    void badRequestsAnswer400NamingTheField() {
        WebTestClient user = api.as("user_bad_requests");
        user.post().uri("/api/v1/amazon/connections").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"region\":\"XX\"}")
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("region");
        user.post().uri("/api/v1/amazon/connections").contentType(MediaType.APPLICATION_JSON).bodyValue("{}")
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("region");
        user.post().uri("/api/v1/amazon/connections").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"region\":")
                .exchange().expectStatus().isBadRequest().expectBody()
                .jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/malformed-request");
        user.post().uri("/api/v1/amazon/connections/callback").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"code\":\"x\"}")
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("state");
        user.post().uri("/api/v1/amazon/connections/callback").contentType(MediaType.APPLICATION_JSON).bodyValue("{\"state\":\"x\"}")
                .exchange().expectStatus().isBadRequest().expectBody().jsonPath("$.errors[0].field").isEqualTo("code");
        user.get().uri("/api/v1/amazon/connections/not-a-uuid").exchange().expectStatus().isBadRequest();
        user.get().uri("/api/v1/amazon/connections/00000000-0000-0000-0000-000000000000").exchange().expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/not-found");
    }

    private org.springframework.test.web.reactive.server.WebTestClient.BodyContentSpec expectProblem(WebTestClient user,
            Endpoint endpoint, SandboxFault fault, int status, String type) {
        amazon.failNext(endpoint, 1, fault);
        Redirect redirect = consent((String) start(user, "NA").get("authorizationUrl"));
        return callback(user, redirect).expectStatus().isEqualTo(status)
                .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/" + type);
    }

    private static void stateRefused(WebTestClient.ResponseSpec response) {
        response.expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/oauth-state-invalid");
    }

    /** Everything a connect could have written. */
    private String snapshot() {
        return "connections=" + db.count("SELECT count(*) FROM connections")
                + " tokens=" + db.count("SELECT count(*) FROM connection_tokens")
                + " profiles=" + db.count("SELECT count(*) FROM connection_profiles")
                + " audit=" + db.count("SELECT count(*) FROM audit_events WHERE action LIKE 'connection.%'")
                + " version=" + db.count("SELECT coalesce(sum(version), 0) FROM connections");
    }

    @SuppressWarnings("unchecked")
    private static List<String> profileCountries(Map<String, Object> connection) {
        return ((List<Map<String, Object>>) connection.get("profiles")).stream().map(p -> (String) p.get("countryCode")).toList();
    }

    private static String decode(String value) {
        return java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void startingFlowOverAndOverKeepsOnlyTheNewestStatesOpen() {
        WebTestClient user = api.as("user_many_flows");
        List<Map<String, Object>> started = new java.util.ArrayList<>();
        for (int i = 0; i < OAuthStates.MAX_OPEN_PER_USER + 3; i++) {
            started.add(start(user, "NA"));
        }
        assertThat(db.count("SELECT count(*) FROM oauth_states WHERE user_id = 'user_many_flows' AND used_at IS NULL"))
                .isEqualTo(OAuthStates.MAX_OPEN_PER_USER);

        // the oldest flows' states are gone: their callbacks are refused and store nothing
        Redirect oldest = consent((String) started.getFirst().get("authorizationUrl"));
        callback(user, oldest).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo("https://docs.ads-connect.dev/problems/oauth-state-invalid");
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = 'user_many_flows'")).isZero();
        // the newest still completes
        callback(user, consent((String) started.getLast().get("authorizationUrl"))).expectStatus().isOk();
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = 'user_many_flows'")).isEqualTo(1);
    }
}
