package com.adsconnect.account.connection;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import com.adsconnect.account.support.AmazonConnect;
import com.adsconnect.account.support.Api;
import com.adsconnect.account.support.Db;
import com.adsconnect.account.support.Integrations;
import com.adsconnect.account.support.Internal;
import com.adsconnect.account.support.TestApiKeys;
import com.adsconnect.devinfra.google.SandboxGoogle;
import com.adsconnect.devinfra.google.SandboxGoogleAccount;
import com.adsconnect.devinfra.microsoft.SandboxMicrosoft;
import com.adsconnect.devinfra.microsoft.SandboxMicrosoftAccount;
import com.adsconnect.devinfra.oauth.SandboxFault;
import com.adsconnect.testsupport.TestInfrastructure;
import com.adsconnect.testsupport.TestInfrastructureHandle;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.util.UriComponents;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The provider-neutral integrations API with Google Ads and Microsoft Advertising next to Amazon:
 * the provider catalogue, the connect flow per provider in its wire format, account listing, the
 * internal token API's call context, required scopes, labels, the user-triggered refresh,
 * disconnect with revocation where the provider offers it, and isolation between users.
 */
@AccountServiceTest
class IntegrationsApiTest {

    private static final String PROBLEMS = "https://docs.ads-connect.dev/problems/";

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

    @AfterEach
    void resetSandboxes() {
        infrastructure.google().reset();
        infrastructure.microsoft().reset();
    }

    @Test
    void theCatalogueListsEveryConfiguredProviderWithWhatAConnectionNeeds() {
        List<Map<String, Object>> providers = api.as("user_int_catalogue").get().uri("/api/v1/integrations/providers").exchange()
                .expectStatus().isOk().expectBody(new org.springframework.core.ParameterizedTypeReference<List<Map<String, Object>>>() {
                }).returnResult().getResponseBody();
        assertThat(providers).extracting(p -> p.get("provider")).containsExactly("amazon", "google", "microsoft");
        assertThat(providers.get(0).get("regions")).isEqualTo(List.of("EU", "FE", "NA"));
        assertThat(providers.get(1).get("regions")).as("Google has no regions to choose").isNull();
        assertThat(providers.get(1).get("requiredScopes")).isEqualTo(List.of("https://www.googleapis.com/auth/adwords"));
        assertThat(providers.get(1).get("revokesOnDisconnect")).isEqualTo(true);
        assertThat(providers.get(2).get("requiredScopes")).isEqualTo(List.of("https://ads.microsoft.com/msads.manage"));
        assertThat(providers.get(2).get("revokesOnDisconnect")).isEqualTo(false);
    }

    @Test
    void googleConnectsWithOfflineAccessPkceAndListsTheAccessibleCustomers() {
        WebTestClient alice = api.as("user_int_google");
        Map<String, Object> started = Integrations.start(alice, "google", null);
        UriComponents url = UriComponentsBuilder.fromUriString((String) started.get("authorizationUrl")).build();
        assertThat(url.getPath()).isEqualTo("/o/oauth2/v2/auth");
        Map<String, String> query = url.getQueryParams().toSingleValueMap();
        assertThat(decode(query.get("client_id"))).isEqualTo(SandboxGoogle.CLIENT_ID);
        assertThat(decode(query.get("redirect_uri"))).isEqualTo(TestInfrastructure.GOOGLE_REDIRECT_URI);
        assertThat(decode(query.get("scope"))).isEqualTo("https://www.googleapis.com/auth/adwords");
        assertThat(query).containsEntry("access_type", "offline").containsEntry("prompt", "consent")
                .containsEntry("response_type", "code").containsEntry("code_challenge_method", "S256").containsKey("code_challenge");

        Map<String, Object> connection = callback(alice, started);
        assertThat(connection).containsEntry("provider", "GOOGLE").containsEntry("region", "GLOBAL").containsEntry("status", "ACTIVE");
        assertThat(scopes(connection, "missing")).isEmpty();
        assertThat(scopes(connection, "granted")).containsExactly("https://www.googleapis.com/auth/adwords");
        List<Map<String, Object>> profiles = profiles(connection);
        assertThat(profiles).extracting(p -> p.get("profileId")).containsExactly("1234567890", "9876543210");
        assertThat(profiles.getFirst()).containsEntry("accountName", "Sandbox Advertiser").containsEntry("currencyCode", "USD")
                .containsEntry("timezone", "America/New_York").containsEntry("accountType", "CLIENT");
        assertThat(profiles.get(1)).containsEntry("accountType", "MANAGER");
        String id = (String) connection.get("id");
        assertThat(db.count("SELECT count(*) FROM connection_tokens WHERE connection_id = ?::uuid", id)).isEqualTo(1);

        // connecting the same Google sign-in again updates the connection instead of adding one
        Map<String, Object> again = Integrations.connect(alice, "google");
        assertThat(again.get("id")).isEqualTo(id);
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = 'user_int_google'")).isEqualTo(1);

        // the internal token API: the Google token and the login-customer-id hint, never our secrets
        String body = internal.token(TestApiKeys.READER, Map.of("userId", "user_int_google", "connectionId", id, "profileId", "1234567890"))
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(body).contains("\"provider\":\"GOOGLE\"").contains("\"login-customer-id\":\"1234567890\"")
                .doesNotContain(SandboxGoogle.CLIENT_SECRET).doesNotContain(SandboxGoogle.DEVELOPER_TOKEN);
    }

    @Test
    void microsoftConnectsThroughTheTenantAndListsTheUsersAdAccountsWithTheirCustomer() {
        WebTestClient alice = api.as("user_int_microsoft");
        Map<String, Object> started = Integrations.start(alice, "microsoft", Map.of());
        UriComponents url = UriComponentsBuilder.fromUriString((String) started.get("authorizationUrl")).build();
        assertThat(url.getPath()).isEqualTo("/common/oauth2/v2.0/authorize");
        Map<String, String> query = url.getQueryParams().toSingleValueMap();
        assertThat(decode(query.get("scope"))).isEqualTo("openid profile offline_access https://ads.microsoft.com/msads.manage");
        assertThat(query).containsEntry("response_mode", "query").containsEntry("code_challenge_method", "S256");

        Map<String, Object> connection = callback(alice, started);
        assertThat(connection).containsEntry("provider", "MICROSOFT").containsEntry("status", "ACTIVE");
        List<Map<String, Object>> profiles = profiles(connection);
        assertThat(profiles).extracting(p -> p.get("profileId")).containsExactly("150000001", "150000002");
        assertThat(profiles.getFirst()).containsEntry("accountName", "Sandbox Search US").containsEntry("parentAccountId", "300000001")
                .containsEntry("accountType", "Active");

        String body = internal.token(TestApiKeys.READER, Map.of("userId", "user_int_microsoft", "connectionId", connection.get("id"),
                        "profileId", "150000002"))
                .expectStatus().isOk().expectBody(String.class).returnResult().getResponseBody();
        assertThat(body).contains("\"CustomerId\":\"300000001\"").contains("\"CustomerAccountId\":\"150000002\"")
                .doesNotContain(SandboxMicrosoft.CLIENT_SECRET).doesNotContain(SandboxMicrosoft.DEVELOPER_TOKEN);
    }

    @Test
    void theListShowsEveryProviderWhileTheAmazonAliasShowsAmazonOnly() {
        WebTestClient user = api.as("user_int_list");
        AmazonConnect.connect(user, "EU");
        Integrations.connect(user, "google");
        Integrations.connect(user, "microsoft");
        assertThat(list(user, "/api/v1/integrations")).extracting(c -> c.get("provider")).containsExactly("AMAZON", "GOOGLE", "MICROSOFT");
        assertThat(list(user, "/api/v1/amazon/connections")).extracting(c -> c.get("provider")).containsExactly("AMAZON");
        assertThat(list(api.as("user_int_list_other"), "/api/v1/integrations")).isEmpty();
    }

    @Test
    void aConsentWithoutTheRequiredScopeIsRefusedAndItsGrantRevoked() {
        WebTestClient user = api.as("user_int_scopes");
        int revocations = infrastructure.google().revocations();
        infrastructure.google().grantOnlyNext("openid");
        Map<String, Object> started = Integrations.start(user, "google", null);
        Integrations.callback(user, AmazonConnect.consent((String) started.get("authorizationUrl")))
                .expectStatus().isEqualTo(422)
                .expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "connection-missing-scopes")
                .jsonPath("$.missingScopes[0]").isEqualTo("https://www.googleapis.com/auth/adwords");
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = 'user_int_scopes'")).isZero();
        assertThat(infrastructure.google().revocations()).as("the partial grant was revoked at Google").isEqualTo(revocations + 1);
    }

    @Test
    void aConnectionGrantedLessThanNowRequiredIsFlaggedAndItsTokenNotHandedOut() {
        WebTestClient user = api.as("user_int_flagged");
        String id = (String) Integrations.connect(user, "microsoft").get("id");
        // granted before the scope became required (an older consent)
        db.execute("UPDATE connections SET granted_scopes = 'openid' WHERE id = ?::uuid", id);
        user.get().uri("/api/v1/integrations/{id}", id).exchange().expectStatus().isOk().expectBody()
                .jsonPath("$.scopes.missing[0]").isEqualTo("https://ads.microsoft.com/msads.manage")
                .jsonPath("$.health.warning").value(warning -> assertThat((String) warning).contains("lacks permissions"));
        internal.token(TestApiKeys.READER, Map.of("userId", "user_int_flagged", "connectionId", id))
                .expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "connection-missing-scopes")
                .jsonPath("$.missingScopes[0]").isEqualTo("https://ads.microsoft.com/msads.manage");
    }

    @Test
    void disconnectingGoogleRevokesTheGrantAtGoogleAndMicrosoftDeletesTheTokens() {
        WebTestClient user = api.as("user_int_disconnect");
        String google = (String) Integrations.connect(user, "google").get("id");
        String refreshToken = lastIssuedRefreshToken(infrastructure.google().issuedTokens(), "1//0sandbox");
        assertThat(infrastructure.google().isLive(refreshToken)).isTrue();
        user.delete().uri("/api/v1/integrations/{id}", google).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("DISCONNECTED");
        assertThat(infrastructure.google().isLive(refreshToken)).as("revoked at Google").isFalse();
        assertThat(db.count("SELECT count(*) FROM connection_tokens WHERE connection_id = ?::uuid", google)).isZero();
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_int_disconnect' AND action = 'connection.grant_revoked'"))
                .isEqualTo(1);

        String microsoft = (String) Integrations.connect(user, "microsoft").get("id");
        user.delete().uri("/api/v1/integrations/{id}", microsoft).exchange().expectStatus().isOk();
        assertThat(db.count("SELECT count(*) FROM connection_tokens WHERE connection_id = ?::uuid", microsoft)).isZero();
    }

    @Test
    void deletingTheAccountRevokesItsGoogleGrantsOnceTheDeletionCommitted() {
        WebTestClient user = api.as("user_int_deleted");
        String google = (String) Integrations.connect(user, "google").get("id");
        String refreshToken = lastIssuedRefreshToken(infrastructure.google().issuedTokens(), "1//0sandbox");
        user.delete().uri("/api/v1/me").exchange().expectStatus().isNoContent();
        assertThat(infrastructure.google().isLive(refreshToken)).as("revoked at Google").isFalse();
        assertThat(db.string("SELECT status FROM connections WHERE id = ?::uuid", google)).isEqualTo("DISCONNECTED");
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_int_deleted' AND action = 'connection.grant_revoked'"))
                .isEqualTo(1);
    }

    @Test
    void aRevocationGoogleCannotAnswerLeavesTheConnectionDisconnectedAndSaysSo() {
        WebTestClient user = api.as("user_int_revoke_down");
        String google = (String) Integrations.connect(user, "google").get("id");
        infrastructure.google().failNext(SandboxGoogle.Endpoint.REVOKE, 1, new SandboxFault.ServerError(503));
        user.delete().uri("/api/v1/integrations/{id}", google).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.status").isEqualTo("DISCONNECTED");
        assertThat(db.count("SELECT count(*) FROM connection_tokens WHERE connection_id = ?::uuid", google)).isZero();
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_int_revoke_down' "
                + "AND action = 'connection.grant_revocation_failed'")).isEqualTo(1);
    }

    @Test
    void aLabelIsTheUsersToSetAndBadOnesChangeNothing() {
        WebTestClient user = api.as("user_int_label");
        String id = (String) Integrations.connect(user, "google").get("id");
        user.patch().uri("/api/v1/integrations/{id}", id).contentType(MediaType.valueOf("application/merge-patch+json"))
                .bodyValue(Map.of("label", "  Brand account  ")).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.label").isEqualTo("Brand account");
        for (Object bad : List.of("x".repeat(101), "", "tab\there", 42)) {
            user.patch().uri("/api/v1/integrations/{id}", id).contentType(MediaType.APPLICATION_JSON)
                    .bodyValue(Map.of("label", bad)).exchange().expectStatus().isBadRequest()
                    .expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "validation-failed");
        }
        user.patch().uri("/api/v1/integrations/{id}", id).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(Map.of("status", "ACTIVE")).exchange().expectStatus().isBadRequest();
        assertThat(db.string("SELECT label FROM connections WHERE id = ?::uuid", id)).isEqualTo("Brand account");
        assertThat(db.count("SELECT count(*) FROM audit_events WHERE user_id = 'user_int_label' AND action = 'connection.relabeled'"))
                .isEqualTo(1);
        user.patch().uri("/api/v1/integrations/{id}", id).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(java.util.Collections.singletonMap("label", null)).exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.label").doesNotExist();
    }

    @Test
    void aUserAsksForARefreshThroughTheLeasePipelineOnceAtATime() {
        WebTestClient user = api.as("user_int_refresh");
        String id = (String) Integrations.connect(user, "microsoft").get("id");
        long generation = db.count("SELECT lease_generation FROM connections WHERE id = ?::uuid", id);
        user.put().uri("/api/v1/integrations/{id}/refresh", id).exchange().expectStatus().isAccepted()
                .expectBody().jsonPath("$.refresh").isEqualTo("CLAIMED");
        user.put().uri("/api/v1/integrations/{id}/refresh", id).exchange().expectStatus().isAccepted()
                .expectBody().jsonPath("$.refresh").isEqualTo("IN_FLIGHT");
        assertThat(db.count("SELECT lease_generation FROM connections WHERE id = ?::uuid AND lease_expires_at > now()", id))
                .as("one urgent claim: one new lease generation").isEqualTo(generation + 1);
        user.delete().uri("/api/v1/integrations/{id}", id).exchange().expectStatus().isOk();
        user.put().uri("/api/v1/integrations/{id}/refresh", id).exchange().expectStatus().isEqualTo(409)
                .expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "connection-not-usable");
    }

    @Test
    void anotherUsersConnectionIsNotFoundForEveryOperationAndNothingChanges() {
        String id = (String) Integrations.connect(api.as("user_int_owner"), "google").get("id");
        String before = db.string("SELECT concat_ws('|', status, label, updated_at, lease_generation) FROM connections WHERE id = ?::uuid", id);
        WebTestClient mallory = api.as("user_int_mallory");
        List<WebTestClient.ResponseSpec> attempts = List.of(
                mallory.get().uri("/api/v1/integrations/{id}", id).exchange(),
                mallory.patch().uri("/api/v1/integrations/{id}", id).contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("label", "mine")).exchange(),
                mallory.post().uri("/api/v1/integrations/{id}/sync", id).exchange(),
                mallory.post().uri("/api/v1/integrations/{id}/reauthorize", id).exchange(),
                mallory.put().uri("/api/v1/integrations/{id}/refresh", id).exchange(),
                mallory.delete().uri("/api/v1/integrations/{id}", id).exchange());
        attempts.forEach(attempt -> attempt.expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "not-found"));
        assertThat(db.string("SELECT concat_ws('|', status, label, updated_at, lease_generation) FROM connections WHERE id = ?::uuid", id)).isEqualTo(before);
        assertThat(infrastructure.google().isLive(lastIssuedRefreshToken(infrastructure.google().issuedTokens(), "1//0sandbox"))).isTrue();
    }

    @Test
    void unknownProvidersAndRegionsAreRefusedAndStartNothing() {
        WebTestClient user = api.as("user_int_unknown");
        Integrations.startSpec(user, "yahoo", null).expectStatus().isNotFound()
                .expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "not-found");
        Integrations.startSpec(user, "google", Map.of("region", "EU")).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "validation-failed");
        Integrations.startSpec(user, "amazon", null).expectStatus().isBadRequest()
                .expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "validation-failed");
        assertThat(db.count("SELECT count(*) FROM oauth_states WHERE user_id = 'user_int_unknown'")).isZero();
        // the provider's name in any letter case
        Integrations.start(user, "Google", null);
    }

    @Test
    void providerFailuresAtTheCallbackAreProblemsInTheirOwnWordsAndStoreNothing() {
        WebTestClient user = api.as("user_int_failures");
        // a Google account without any Google Ads account
        infrastructure.google().grantNext(new SandboxGoogleAccount("nobody@example.com", List.of()));
        Map<String, Object> started = Integrations.start(user, "google", null);
        Integrations.callback(user, AmazonConnect.consent((String) started.get("authorizationUrl")))
                .expectStatus().isEqualTo(422).expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "provider-account-without-profiles");
        // Google refuses the code
        infrastructure.google().failNext(SandboxGoogle.Endpoint.TOKEN, 1, new SandboxFault.InvalidGrant());
        started = Integrations.start(user, "google", null);
        Integrations.callback(user, AmazonConnect.consent((String) started.get("authorizationUrl")))
                .expectStatus().isBadRequest().expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "provider-authorization-failed")
                .jsonPath("$.providerError").isEqualTo("invalid_grant")
                .jsonPath("$.detail").value(detail -> assertThat((String) detail).startsWith("Google Ads"));
        // Microsoft Advertising throttles the account listing (code 117)
        infrastructure.microsoft().failNext(SandboxMicrosoft.Endpoint.CUSTOMER_MANAGEMENT, 1, new SandboxFault.RateLimited(Duration.ofSeconds(7)));
        started = Integrations.start(user, "microsoft", null);
        Integrations.callback(user, AmazonConnect.consent((String) started.get("authorizationUrl")))
                .expectStatus().isEqualTo(503).expectHeader().valueEquals("Retry-After", "7")
                .expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "provider-rate-limited");
        // a user of Microsoft Advertising with no ad account
        infrastructure.microsoft().grantNext(new SandboxMicrosoftAccount("700000009", "300000009", "empty@outlook.com", List.of()));
        started = Integrations.start(user, "microsoft", null);
        Integrations.callback(user, AmazonConnect.consent((String) started.get("authorizationUrl")))
                .expectStatus().isEqualTo(422).expectBody().jsonPath("$.type").isEqualTo(PROBLEMS + "provider-account-without-profiles");
        assertThat(db.count("SELECT count(*) FROM connections WHERE user_id = 'user_int_failures'")).isZero();
    }

    private static Map<String, Object> callback(WebTestClient user, Map<String, Object> started) {
        AmazonConnect.Redirect redirect = AmazonConnect.consent((String) started.get("authorizationUrl"));
        @SuppressWarnings("unchecked")
        Map<String, Object> connection = Integrations.callback(user, redirect).expectStatus().isOk()
                .expectBody(Map.class).returnResult().getResponseBody();
        return connection;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> profiles(Map<String, Object> connection) {
        return (List<Map<String, Object>>) connection.get("profiles");
    }

    @SuppressWarnings("unchecked")
    private static List<String> scopes(Map<String, Object> connection, String which) {
        return (List<String>) ((Map<String, Object>) connection.get("scopes")).get(which);
    }

    private static List<Map<String, Object>> list(WebTestClient user, String path) {
        return user.get().uri(path).exchange().expectStatus().isOk()
                .expectBody(new org.springframework.core.ParameterizedTypeReference<List<Map<String, Object>>>() {
                }).returnResult().getResponseBody();
    }

    private static String lastIssuedRefreshToken(List<String> issued, String prefix) {
        return issued.reversed().stream().filter(token -> token.startsWith(prefix)).findFirst().orElseThrow();
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
